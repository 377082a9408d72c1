//! Views on a finished report: the baseline change, JSON, and drill-downs for the dashboard.

#[allow(unused_imports)]
use super::*;

impl Report {
    /// Attaches the change against a baseline year's report (same bodies, areas and rules).
    pub fn with_baseline(mut self, base: &Report) -> Report {
        self.baseline = Some(Baseline {
            year: base.year.clone(),
            all: change_rows(&self.all, &base.all),
            top_n: change_rows(&self.top_n, &base.top_n),
        });
        self
    }

    /// The JSON `levers spend analyse --json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Units of a sector in a scope, largest first (drill-down from a sector to its suppliers).
    pub fn sector_suppliers(&self, sector: &str, top_only: bool) -> Vec<(SupplierRow, i64)> {
        let Some(sid) = self.sector_names.iter().position(|n| n == sector) else {
            return Vec::new();
        };
        let top: HashSet<u32> = if top_only {
            self.top_n_units()
        } else {
            HashSet::new()
        };
        let ctx_geo_rows: Vec<(u32, i64)> = self
            .units
            .iter()
            .enumerate()
            .filter(|(i, u)| u.net_pence > 0 && (!top_only || top.contains(&(*i as u32))))
            .filter_map(|(i, u)| {
                u.sectors
                    .iter()
                    .find(|(s, _)| *s as usize == sid)
                    .map(|(_, p)| (i as u32, *p))
            })
            .collect();
        let mut v: Vec<(SupplierRow, i64)> = ctx_geo_rows
            .into_iter()
            .map(|(u, p)| (self.unit_row(u), p))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
        v
    }

    /// The units in each body's top N.
    pub fn top_n_units(&self) -> HashSet<u32> {
        let mut out = HashSet::new();
        let n = self.top_n.n.unwrap_or(usize::MAX);
        for b in 0..self.bodies.len() as u16 {
            let mine: Vec<u32> = (0..self.units.len() as u32)
                .filter(|&u| {
                    self.units[u as usize].body == b && self.units[u as usize].net_pence > 0
                })
                .collect();
            out.extend(largest(&self.units, mine, n));
        }
        out
    }

    /// A unit as a supplier row (the ward shown by code; pages name it from the geography).
    pub fn unit_row(&self, ui: u32) -> SupplierRow {
        let u = &self.units[ui as usize];
        SupplierRow {
            unit: ui,
            name: u.name.clone(),
            body: self
                .bodies
                .get(u.body as usize)
                .cloned()
                .unwrap_or_default(),
            pence: u.net_pence,
            linked: u.supplier.is_some(),
            local: u.loc.local,
            wider: u.loc.wider,
            located: u.loc.located,
            postcode: u.loc.postcode.clone(),
            ward: u.loc.ward.map(|w| w.to_string()),
            decile: u.loc.decile,
            location_source: u.loc.source,
            size: u.class.size,
            vcse: u.class.vcse,
            public: u.class.public,
            individual_redacted: u.class.individual || u.redacted,
        }
    }

    /// The payments of a unit (drill-down from a supplier to its transactions), optionally one
    /// sector's, with the rule that excluded each if any.
    pub fn unit_payments(
        &self,
        payments: &Payments,
        unit: u32,
        sector: Option<&str>,
    ) -> Vec<PaymentLine> {
        let rules: Vec<&ExclusionRow> = self.exclusions.iter().collect();
        let basis = self.settings.get("sector_basis").and_then(|v| v.as_str());
        let basis_expense = matches!(basis, Some("expense_type" | "proclass"));
        let basis_proclass = basis == Some("proclass");
        let mut out = Vec::new();
        for (i, row) in payments.rows.iter().enumerate() {
            if self.row_unit.get(i) != Some(&unit) {
                continue;
            }
            let et = payments.strings.get(row.expense_type);
            if let Some(s) = sector {
                let own = self.units[unit as usize]
                    .own_sector
                    .and_then(|i| self.sector_names.get(i as usize))
                    .map_or("Unknown sector", String::as_str);
                let cat = payments.strings.get(row.category).trim();
                let label = if basis_proclass && !cat.is_empty() {
                    cat
                } else if basis_expense && !et.trim().is_empty() {
                    et.trim()
                } else {
                    own
                };
                if label != s {
                    continue;
                }
            }
            let rule = self.row_rule.get(i).copied().unwrap_or(u8::MAX);
            out.push(PaymentLine {
                row_id: row.row_id,
                date: row.date,
                amount_pence: row.amount_pence,
                supplier_name: payments.strings.get(row.supplier_name).to_string(),
                expense_type: et.to_string(),
                expense_area: payments.strings.get(row.expense_area).to_string(),
                excluded_by: (rule != u8::MAX).then(|| {
                    rules
                        .get(rule as usize)
                        .map_or_else(String::new, |r| r.label.clone())
                }),
            });
        }
        out.sort_by(|a, b| a.date.cmp(&b.date).then(a.row_id.cmp(&b.row_id)));
        out
    }
}

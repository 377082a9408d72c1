//! One OCDS release into a [`Contract`]: the notice type and stage, CPV codes wherever they sit,
//! net and gross values, contract periods with renewals and `maxExtentDate`, suitability and
//! reserved participation (UK extension), suppliers with their scale, VCSE flag and numbers.

use levers_core::Money;
use time::Date;

use super::raw::{self, Amount, Release};
use crate::model::{Contract, Lot, Source, Stage, SupplierRef, opt_date};

/// The stage a Procurement Act 2023 notice type marks (`None` for a type levers does not know).
pub fn stage_of_notice(notice: &str) -> Option<Stage> {
    let n = notice.trim().to_ascii_uppercase();
    Some(match n.as_str() {
        // Pipeline, preliminary market engagement, planned procurement.
        "UK1" | "UK2" | "UK3" => Stage::Planning,
        "UK4" => Stage::Tender,
        // Transparency (direct award), contract award.
        "UK5" | "UK6" => Stage::Award,
        "UK7" => Stage::Contract,
        // Payments compliance, performance, change, termination.
        "UK8" | "UK9" | "UK10" | "UK11" => Stage::Implementation,
        "UK12" => Stage::Cancelled,
        // Dynamic market and other notices: tender-like.
        "UK13" | "UK14" | "UK15" | "UK16" | "UK17" => Stage::Tender,
        _ => return None,
    })
}

/// What a Procurement Act notice type is called (as FTS's guidance names it).
pub fn notice_name(notice: &str) -> &'static str {
    match notice.trim().to_ascii_uppercase().as_str() {
        "UK1" => "Pipeline notice",
        "UK2" => "Preliminary market engagement notice",
        "UK3" => "Planned procurement notice",
        "UK4" => "Tender notice",
        "UK5" => "Transparency notice",
        "UK6" => "Contract award notice",
        "UK7" => "Contract details notice",
        "UK8" => "Payments compliance notice",
        "UK9" => "Contract performance notice",
        "UK10" => "Contract change notice",
        "UK11" => "Contract termination notice",
        "UK12" => "Procurement termination notice",
        "UK13" => "Dynamic market notice (establishment)",
        "UK14" => "Dynamic market notice (modification)",
        "UK15" => "Dynamic market notice (cessation)",
        "UK16" => "Dynamic market notice (utilities)",
        "UK17" => "Below-threshold tender notice",
        _ => "Notice",
    }
}

fn stage_of_tags(tags: &[String], tender_status: Option<&str>) -> Stage {
    let mut stage = None;
    for t in tags {
        let s = match t.as_str() {
            "planning" | "planningUpdate" => Stage::Planning,
            "tender" | "tenderUpdate" | "tenderAmendment" => Stage::Tender,
            "award" | "awardUpdate" => Stage::Award,
            "contract" | "contractUpdate" | "contractAmendment" => Stage::Contract,
            "implementation" | "implementationUpdate" => Stage::Implementation,
            "tenderCancellation" | "awardCancellation" | "contractTermination" => Stage::Cancelled,
            _ => continue,
        };
        stage = Some(stage.map_or(s, |p: Stage| p.max(s)));
    }
    match (stage, tender_status) {
        (_, Some("cancelled" | "withdrawn" | "unsuccessful")) => Stage::Cancelled,
        (Some(s), _) => s,
        (None, Some("planned" | "planning")) => Stage::Planning,
        (None, Some("active")) => Stage::Tender,
        (None, Some("complete")) => Stage::Award,
        (None, _) => Stage::Contract,
    }
}

/// Eight-digit CPV code from `45000000`, `45000000-7` or `45000000 - Construction work`.
pub fn cpv_code(s: &str) -> Option<String> {
    let digits: String = s
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (digits.len() == 8).then_some(digits)
}

struct Acc<'a> {
    c: Contract,
    release: &'a Release<'a>,
}

impl Acc<'_> {
    fn warn(&mut self, w: String) {
        if !self.c.warnings.contains(&w) {
            self.c.warnings.push(w);
        }
    }

    fn amount(&mut self, field: impl std::fmt::Display, a: &Option<Amount>) -> Option<Money> {
        match a {
            Some(Amount::Pence(m)) => Some(*m),
            Some(Amount::Bad(t)) if t != "null" => {
                self.warn(format!("{field}: \"{t}\" is not an amount; left out"));
                None
            }
            _ => None,
        }
    }

    fn date(&mut self, field: impl std::fmt::Display, t: &raw::Text) -> Option<Date> {
        let s = t.get()?;
        let d = opt_date::parse(s);
        if d.is_none() {
            self.warn(format!("{field}: \"{s}\" is not a date; left out"));
        }
        d
    }

    fn currency(&mut self, field: impl std::fmt::Display, v: &raw::Value) {
        if let Some(cur) = v.currency.get()
            && !cur.eq_ignore_ascii_case("GBP")
        {
            self.warn(format!(
                "{field}.currency is {cur}, not GBP: the amount is kept as published, in pounds"
            ));
        }
    }

    fn cpv_from(&mut self, cl: &raw::Classification) {
        let scheme = cl.scheme.get().unwrap_or("CPV");
        if !scheme.eq_ignore_ascii_case("CPV") {
            return;
        }
        if let Some(code) = cl.id.get().and_then(cpv_code)
            && !self.c.cpv.contains(&code)
        {
            if self.c.category.is_empty()
                && let Some(d) = cl.description.get()
            {
                self.c.category = d.to_string();
            }
            self.c.cpv.push(code);
        }
    }

    fn items(&mut self, items: &raw::List<raw::Item>) {
        for it in items.iter() {
            if let Some(cl) = &it.classification {
                self.cpv_from(cl);
            }
            for cl in it.additional_classifications.iter() {
                self.cpv_from(cl);
            }
        }
    }
}

/// Reads a release into a contract. Never fails: what cannot be read is a warning on the contract.
pub fn flatten(r: &Release) -> Contract {
    let ocid = r.ocid.string();
    let mut a = Acc {
        c: Contract {
            key: format!("ocds:{ocid}"),
            source: Source::Ocds,
            ocid: Some(ocid),
            release_id: r.id.get().map(str::to_string),
            release_date: r.date.get().map(str::to_string),
            tags: r.tag.0.clone(),
            ..Contract::default()
        },
        release: r,
    };
    let release = a.release;
    // Buyer: the buyer reference, else the first party with the buyer role.
    a.c.buyer = release
        .buyer
        .as_ref()
        .and_then(|b| b.name.get())
        .or_else(|| {
            release
                .parties
                .iter()
                .find(|p| p.roles.0.iter().any(|r| r == "buyer"))
                .and_then(|p| p.name.get())
        })
        .unwrap_or_default()
        .to_string();

    // Notice type: the document that is this release's own notice, else the latest one given.
    let mut notice: Option<String> = None;
    let mut own: Option<String> = None;
    let rid = release.id.get();
    let mut docs: Vec<&raw::Document> = Vec::new();
    if let Some(p) = &release.planning {
        docs.extend(p.documents.iter());
    }
    if let Some(t) = &release.tender {
        docs.extend(t.documents.iter());
    }
    for aw in release.awards.iter() {
        docs.extend(aw.documents.iter());
    }
    for c in release.contracts.iter() {
        docs.extend(c.documents.iter());
    }
    for d in &docs {
        if let Some(n) = d.notice_type.get() {
            notice = Some(n.to_string());
            if rid.is_some() && d.id.get() == rid {
                own = Some(n.to_string());
            }
            if a.c.url.is_none() {
                a.c.url = d.url.get().map(str::to_string);
            }
        }
    }
    if a.c.url.is_none() {
        a.c.url = docs
            .iter()
            .find(|d| {
                d.document_type
                    .get()
                    .is_some_and(|t| t.ends_with("Notice") || t == "contractNotice")
            })
            .and_then(|d| d.url.get())
            .map(str::to_string);
    }
    a.c.notice_type = own.or(notice);

    let tender_status = release.tender.as_ref().and_then(|t| t.status.get());
    a.c.status = tender_status.map(str::to_string);
    a.c.stage = match a.c.notice_type.as_deref().and_then(stage_of_notice) {
        Some(s) if !matches!(tender_status, Some("cancelled" | "withdrawn")) => s,
        _ => stage_of_tags(&a.c.tags, tender_status),
    };

    let mut period_t: Option<&raw::Period> = None;
    if let Some(t) = &release.tender {
        a.c.reference = t.id.string();
        a.c.title = t.title.string();
        a.c.description = t.description.string();
        a.c.procedure = t
            .procurement_method_details
            .get()
            .or(t.procurement_method.get())
            .unwrap_or_default()
            .to_string();
        a.c.main_category = t.main_procurement_category.string();
        a.c.special_regime = t.special_regime.0.clone();
        a.c.above_threshold = t.above_threshold.0;
        if let Some(cl) = &t.classification {
            a.cpv_from(cl);
        }
        a.items(&t.items);
        if let Some(v) = &t.value {
            a.currency("tender.value", v);
            a.c.value_net = a.amount("tender.value.amount", &v.amount);
            a.c.value_gross = a.amount("tender.value.amountGross", &v.amount_gross);
        }
        if let Some(p) = &t.tender_period {
            a.c.tender_end = a.date("tender.tenderPeriod.endDate", &p.end_date);
        }
        period_t = t.contract_period.as_ref();
        a.c.has_renewal |= t.has_renewal.0 == Some(true);
        if let Some(rn) = &t.renewal {
            a.c.renewal = rn.description.string();
        }
        if let Some(s) = &t.suitability {
            a.c.suitable_sme = s.sme.0;
            a.c.suitable_vcse = s.vcse.0;
        }
        if let Some(o) = &t.other_requirements {
            a.c.reserved = o.reserved_participation.0.clone();
            a.c.reserved_location = o
                .reserved_participation_location
                .as_ref()
                .and_then(|l| l.description.get())
                .map(str::to_string);
        }
        for (i, l) in t.lots.iter().enumerate() {
            let mut lot = Lot {
                id: l
                    .id
                    .get()
                    .map_or_else(|| (i + 1).to_string(), str::to_string),
                title: l.title.string(),
                has_renewal: l.has_renewal.0 == Some(true),
                ..Lot::default()
            };
            // Field names are formatted only when a warning names them.
            if let Some(v) = &l.value {
                a.currency(format_args!("tender.lots[{i}].value"), v);
                lot.value_net = a.amount(format_args!("tender.lots[{i}].value.amount"), &v.amount);
                lot.value_gross = a.amount(
                    format_args!("tender.lots[{i}].value.amountGross"),
                    &v.amount_gross,
                );
            }
            if let Some(p) = &l.contract_period {
                let f = "contractPeriod";
                lot.start = a.date(
                    format_args!("tender.lots[{i}].{f}.startDate"),
                    &p.start_date,
                );
                lot.end = a.date(format_args!("tender.lots[{i}].{f}.endDate"), &p.end_date);
                lot.max_extent = a.date(
                    format_args!("tender.lots[{i}].{f}.maxExtentDate"),
                    &p.max_extent_date,
                );
            }
            if a.c.renewal.is_empty()
                && let Some(rn) = &l.renewal
            {
                a.c.renewal = rn.description.string();
            }
            if let Some(s) = &l.suitability {
                a.c.suitable_sme = a.c.suitable_sme.or(s.sme.0);
                a.c.suitable_vcse = a.c.suitable_vcse.or(s.vcse.0);
            }
            if let Some(o) = &l.other_requirements {
                for r in &o.reserved_participation.0 {
                    if !a.c.reserved.contains(r) {
                        a.c.reserved.push(r.clone());
                    }
                }
                if a.c.reserved_location.is_none() {
                    a.c.reserved_location = o
                        .reserved_participation_location
                        .as_ref()
                        .and_then(|l| l.description.get())
                        .map(str::to_string);
                }
            }
            a.c.has_renewal |= lot.has_renewal;
            a.c.lots.push(lot);
        }
    }

    // Awards: their suppliers, values (the contracted value, preferred to the estimate), periods.
    let mut award_net: Vec<Money> = Vec::new();
    let mut award_gross: Vec<Money> = Vec::new();
    let mut period_a: Option<&raw::Period> = None;
    for (i, aw) in release.awards.iter().enumerate() {
        if matches!(aw.status.get(), Some("cancelled" | "unsuccessful")) {
            continue;
        }
        if let Some(v) = &aw.value {
            a.currency(format_args!("awards[{i}].value"), v);
            if let Some(m) = a.amount(format_args!("awards[{i}].value.amount"), &v.amount) {
                award_net.push(m);
            }
            if let Some(m) = a.amount(
                format_args!("awards[{i}].value.amountGross"),
                &v.amount_gross,
            ) {
                award_gross.push(m);
            }
        }
        a.items(&aw.items);
        period_a = period_a.or(aw.contract_period.as_ref());
        a.c.has_renewal |= aw.has_renewal.0 == Some(true);
        if a.c.renewal.is_empty()
            && let Some(rn) = &aw.renewal
        {
            a.c.renewal = rn.description.string();
        }
        if aw.above_threshold.0.is_some() {
            a.c.above_threshold = aw.above_threshold.0;
        }
        for s in aw.suppliers.iter() {
            let sref = supplier(release, s);
            if !a
                .c
                .suppliers
                .iter()
                .any(|x| x.name == sref.name && x.id == sref.id)
            {
                a.c.suppliers.push(sref);
            }
        }
    }
    if !award_net.is_empty() {
        a.c.value_net = Money::checked_sum(award_net).ok();
    }
    if !award_gross.is_empty() {
        a.c.value_gross = Money::checked_sum(award_gross).ok();
    }
    let mut period_c: Option<&raw::Period> = None;
    for c in release.contracts.iter() {
        a.items(&c.items);
        period_c = period_c.or(c.period.as_ref());
    }
    if let Some(p) = period_a.or(period_c).or(period_t) {
        a.c.start = a.date("contractPeriod.startDate", &p.start_date);
        a.c.end = a.date("contractPeriod.endDate", &p.end_date);
        a.c.max_extent = a.date("contractPeriod.maxExtentDate", &p.max_extent_date);
    } else if !a.c.lots.is_empty() {
        a.c.start = a.c.lots.iter().filter_map(|l| l.start).min();
        a.c.end = a.c.lots.iter().filter_map(|l| l.end).max();
        a.c.max_extent = a.c.lots.iter().filter_map(|l| l.max_extent).max();
    }
    if a.c.value_net.is_none() && a.c.value_gross.is_none() {
        a.c.value_net = release
            .tender
            .as_ref()
            .and_then(|t| t.min_value.as_ref())
            .and_then(|v| match &v.amount {
                Some(Amount::Pence(m)) => Some(*m),
                _ => None,
            });
    }
    if release.id.get().is_none() {
        a.warn(
            "the release has no id: it is told apart from others of its ocid by its date".into(),
        );
    }
    a.c
}

fn supplier(r: &Release, s: &raw::OrgRef) -> SupplierRef {
    let mut out = SupplierRef {
        name: s.name.string(),
        id: s.id.get().map(str::to_string),
        ..SupplierRef::default()
    };
    let party =
        s.id.get()
            .and_then(|id| r.parties.iter().find(|p| p.id.get() == Some(id)));
    let mut ids: Vec<(String, String)> = Vec::new();
    if let Some(id) = s.id.get() {
        if let Some(rest) = id.strip_prefix("GB-COH-") {
            ids.push(("GB-COH".into(), rest.into()));
        } else if let Some(rest) = id.strip_prefix("GB-CHC-") {
            ids.push(("GB-CHC".into(), rest.into()));
        }
    }
    if let Some(p) = party {
        if out.name.is_empty() {
            out.name = p.name.string();
        }
        for i in p.identifier.iter().chain(p.additional_identifiers.iter()) {
            if let (Some(sc), Some(id)) = (i.scheme.get(), i.id.get()) {
                ids.push((sc.to_string(), id.to_string()));
            }
        }
        if let Some(d) = &p.details {
            out.scale = d.scale.get().map(str::to_ascii_lowercase);
            out.vcse = d.vcse.0;
        }
        out.postcode = p
            .address
            .as_ref()
            .and_then(|a| a.postal_code.get())
            .map(str::to_string);
    }
    for (scheme, id) in ids {
        match scheme.as_str() {
            "GB-COH" if out.company_number.is_none() => {
                out.company_number = levers_spend::suppliers::normalise_company_number(&id);
            }
            "GB-CHC" | "GB-SC" | "GB-NIC" if out.charity_number.is_none() => {
                out.charity_number = levers_spend::suppliers::normalise_charity_number(&id);
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_types_give_stages() {
        assert_eq!(stage_of_notice("UK1"), Some(Stage::Planning));
        assert_eq!(stage_of_notice("uk4"), Some(Stage::Tender));
        assert_eq!(stage_of_notice("UK7"), Some(Stage::Contract));
        assert_eq!(stage_of_notice("F02"), None);
        assert_eq!(notice_name("UK6"), "Contract award notice");
    }

    #[test]
    fn cpv_codes_in_every_form() {
        assert_eq!(cpv_code("45000000-7").as_deref(), Some("45000000"));
        assert_eq!(cpv_code("79314000").as_deref(), Some("79314000"));
        assert_eq!(cpv_code("4500"), None);
    }

    #[test]
    fn a_release_with_items_lots_and_a_foreign_currency() {
        let j = r#"{"ocid":"ocds-x-1","id":"r1","date":"2026-10-06T17:59:32+01:00","tag":"tender",
          "buyerID":[],
          "buyer":{"id":"B","name":"Central Bedfordshire Council"},
          "tender":{"id":"T","title":"Aldbanks","status":"active",
            "items":[{"id":"1","additionalClassifications":[{"scheme":"CPV","id":"85311000","description":"Social work services with accommodation"}]}],
            "value":{"amountGross":3326400,"amount":"2772000.00","currency":"GBP"},
            "specialRegime":["lightTouch"],"aboveThreshold":true,
            "tenderPeriod":{"endDate":"2026-11-05T12:00:00+00:00"},
            "lots":[{"id":"1","value":{"amount":2772000,"currency":"AED"},
              "contractPeriod":{"startDate":"2027-11-01T00:00:00+00:00","endDate":"2030-10-31T23:59:59+00:00","maxExtentDate":"2034-10-31T23:59:59+00:00"},
              "hasRenewal":true,"renewal":{"description":"up to 4 more years"}}],
            "documents":[{"id":"r1","documentType":"tenderNotice","noticeType":"UK4","url":"https://x/r1"}]}}"#;
        let r: Release = serde_json::from_str(j).unwrap();
        let c = flatten(&r);
        assert_eq!(c.notice_type.as_deref(), Some("UK4"));
        assert_eq!(c.stage, Stage::Tender);
        assert_eq!(c.cpv, vec!["85311000".to_string()]);
        assert_eq!(c.value_net, Some(Money::from_pence(2_772_000_00)));
        assert_eq!(c.value_gross, Some(Money::from_pence(3_326_400_00)));
        assert_eq!(c.end.map(opt_date::iso).as_deref(), Some("2030-10-31"));
        assert_eq!(
            c.max_extent.map(opt_date::iso).as_deref(),
            Some("2034-10-31")
        );
        assert!(c.has_renewal);
        assert_eq!(c.above_threshold, Some(true));
        assert!(
            c.warnings.iter().any(|w| w.contains("AED")),
            "{:?}",
            c.warnings
        );
        assert_eq!(c.url.as_deref(), Some("https://x/r1"));
    }
}

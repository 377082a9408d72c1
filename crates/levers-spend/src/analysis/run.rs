//! The analysis itself: resolve suppliers into units, exclude, net, locate, and measure each scope.

#[allow(unused_imports)]
use super::*;

/// Runs the analysis.
pub fn analyse(
    bodies: &[BodyData],
    payments: &Payments,
    geo: &GeoIndex,
    opts: &AnalysisOptions,
) -> Report {
    let rules = RuleSet::new(&opts.rules);
    let local: HashSet<AreaCode> = opts.local.lads.iter().copied().collect();
    let wider: HashSet<AreaCode> = opts
        .wider
        .lads
        .iter()
        .copied()
        .chain(opts.local.lads.iter().copied())
        .collect();
    let matchers: Vec<Matcher> = bodies
        .iter()
        .map(|b| {
            let cands: Vec<Candidate> = b
                .suppliers
                .iter()
                .map(|s| Candidate {
                    supplier_id: s.supplier_id.as_deref(),
                    name: &s.name,
                    company_number: s.company_number.as_deref(),
                    charity_number: s.charity_number.as_deref(),
                    vat_number: s.vat_number.as_deref(),
                })
                .collect();
            Matcher::new(&cands, &b.decisions, opts.matching)
        })
        .collect();
    let strings = &payments.strings;
    let split = rules.name_mask("").is_some();

    // 1. Resolution, once per distinct way a payment names its supplier (see
    // `Payments::supplier_keys`), in parallel. Each key also gets its name's exclusion-rule bits.
    struct KeyRes {
        method: MatchMethod,
        supplier: Option<u32>,
        /// The normalised name of an unlinked, unredacted key (units of unlinked names are per
        /// normalised name).
        norm: Option<String>,
        name_mask: u64,
    }
    let resolved: Vec<Option<KeyRes>> = crate::par::map(
        &payments.supplier_keys,
        |&(body, id, company, charity, vat, name_id, redacted)| {
            let matcher = matchers.get(body as usize)?;
            let opt = |id: u32| Some(strings.get(id)).filter(|s| !s.is_empty());
            let name = strings.get(name_id);
            let r = matcher.resolve(
                opt(id),
                [opt(company), opt(charity), opt(vat)],
                name,
                redacted,
            );
            // A suggestion waiting for review links nothing until an officer accepts it.
            let supplier = if r.method == MatchMethod::Review {
                None
            } else {
                r.supplier.map(|s| s as u32)
            };
            let norm = (!redacted && supplier.is_none()).then(|| normalise_name(name));
            let name_mask = if split {
                rules.name_mask(name).unwrap_or(0)
            } else {
                0
            };
            Some(KeyRes {
                method: r.method,
                supplier,
                norm,
                name_mask,
            })
        },
    );

    // Units, in order of first appearance: a body's redacted payments, a linked supplier, an
    // unlinked normalised name. `specs` says what each is; `key_unit` maps every key to its unit.
    let mut key_unit: Vec<u32> = vec![u32::MAX; resolved.len()];
    let mut specs: Vec<(u16, Option<u32>, u32, bool)> = Vec::new();
    {
        let mut unit_of_redacted: Vec<u32> = vec![u32::MAX; bodies.len()];
        let mut unit_of_linked: Vec<Vec<u32>> = bodies
            .iter()
            .map(|b| vec![u32::MAX; b.suppliers.len()])
            .collect();
        let mut unit_of_name: FastMap<(u16, &str), u32> = FastMap::default();
        for (k, res) in resolved.iter().enumerate() {
            let Some(res) = res else { continue };
            let (body, .., name_id, redacted) = payments.supplier_keys[k];
            let next = specs.len() as u32;
            let slot = match (redacted, res.supplier, &res.norm) {
                (true, ..) => &mut unit_of_redacted[body as usize],
                (false, Some(s), _) => &mut unit_of_linked[body as usize][s as usize],
                (false, None, Some(n)) => {
                    unit_of_name.entry((body, n.as_str())).or_insert(u32::MAX)
                }
                (false, None, None) => unreachable!("an unlinked name is always normalised"),
            };
            if *slot == u32::MAX {
                *slot = next;
                specs.push((
                    body,
                    if redacted { None } else { res.supplier },
                    name_id,
                    redacted,
                ));
            }
            key_unit[k] = *slot;
        }
    }
    let mut units: Vec<Unit> = crate::par::map(&specs, |&(body, supplier, name_id, redacted)| {
        let name = strings.get(name_id);
        let (class, display, loc) = match (redacted, supplier) {
            (true, _) => (
                crate::classify::classify(None, None, None, name, true),
                "Redacted payments".to_string(),
                UnitLocation::default(),
            ),
            (false, Some(s)) => {
                let info = &bodies[body as usize].suppliers[s as usize];
                (
                    info.class.clone(),
                    info.name.clone(),
                    locate(info, geo, &local, &wider, opts.imd),
                )
            }
            (false, None) => {
                let mut c = crate::classify::classify(None, None, None, name, false);
                if !(public_by_name(name) || vcse_by_name(name)) {
                    c.source = crate::classify::ClassSource::None;
                }
                (c, name.trim().to_string(), UnitLocation::default())
            }
        };
        Unit {
            body,
            supplier,
            name: display,
            redacted,
            class,
            net_pence: 0,
            excluded_pence: 0,
            sectors: Vec::new(),
            own_sector: None,
            loc,
        }
    });

    // Sectors: each payment's expense type (per distinct combination of facts), falling back to
    // its unit's own sector (the supplier's category or SIC section).
    let mut sector_ids: FastMap<String, u32> = FastMap::default();
    let mut sector_names: Vec<String> = Vec::new();
    let mut sector_id = |s: &str| -> u32 {
        let s = if s.trim().is_empty() {
            "Unknown sector"
        } else {
            s.trim()
        };
        if let Some(&i) = sector_ids.get(s) {
            return i;
        }
        let i = sector_names.len() as u32;
        sector_names.push(s.to_string());
        sector_ids.insert(s.to_string(), i);
        i
    };
    let mut et_sector: FastMap<u32, u32> = FastMap::default();
    let fact_sector: Vec<u32> = payments
        .fact_keys
        .iter()
        .map(|&(et, _, _, _, cat)| {
            let by = match opts.sector {
                SectorBasis::Proclass if cat != 0 => cat,
                SectorBasis::ExpenseType | SectorBasis::Proclass => et,
                SectorBasis::Supplier => 0,
            };
            if by == 0 {
                return u32::MAX;
            }
            *et_sector
                .entry(by)
                .or_insert_with(|| sector_id(strings.get(by)))
        })
        .collect();
    for u in &mut units {
        let label = u
            .supplier
            .and_then(|s| {
                bodies[u.body as usize].suppliers[s as usize]
                    .sector
                    .as_deref()
            })
            .unwrap_or_default();
        u.own_sector = Some(sector_id(label));
    }
    // Per key, packed for the payment loop: its unit, the unit's public/individual flags (which
    // some rules test) and its name's rule bits.
    // Each worker counts a key's payments and pence in the same slot, so a payment touches one
    // slot for its key and one for its unit.
    #[derive(Clone, Copy)]
    struct KeyInfo {
        name_mask: u64,
        unit: u32,
        flags: u8,
        payments: u64,
        pence: i64,
    }
    let key_info: Vec<KeyInfo> = key_unit
        .iter()
        .zip(&resolved)
        .map(|(&u, r)| match (units.get(u as usize), r) {
            (Some(unit), Some(r)) => KeyInfo {
                name_mask: r.name_mask,
                unit: u,
                flags: u8::from(unit.class.public) * 2 + u8::from(unit.class.individual),
                payments: 0,
                pence: 0,
            },
            _ => KeyInfo {
                name_mask: 0,
                unit: u32::MAX,
                flags: 0,
                payments: 0,
                pence: 0,
            },
        })
        .collect();

    // 2. Exclusions and sums, over the payments in one chunk per worker. A payment's rule comes from
    // its name's rule bits (per key) and its other fields' (per fact combination and flags, worked
    // out when first needed); more than 64 rules fall back to whole-payment matching, memoised per
    // distinct set of facts.
    /// A unit's sums in one chunk: net and excluded pence, and its first two sectors' pence kept
    /// inline (most units have one or two), more going to the chunk's overflow map; with the unit's
    /// own sector, for payments without an expense type.
    #[derive(Clone, Copy)]
    struct UnitSums {
        net: i64,
        excluded: i64,
        sectors: [(u32, i64); 2],
        own_sector: u32,
    }
    const NO_SECTOR: u32 = u32::MAX;
    struct Part {
        total: i64,
        excluded: i64,
        by_rule: Vec<(i64, u64)>,
        keys: Vec<KeyInfo>,
        units: Vec<UnitSums>,
        /// (unit << 32 | sector) → pence, for a unit's third sector onwards.
        overflow: FastMap<u64, i64>,
        row_unit: Vec<u32>,
        row_rule: Vec<u8>,
    }
    let n_rules = rules.rules().count();
    let parts: Vec<Part> = crate::par::chunks(&payments.rows, |_, rows| {
        let mut p = Part {
            total: 0,
            excluded: 0,
            by_rule: vec![(0, 0); n_rules],
            keys: key_info.clone(),
            units: units
                .iter()
                .map(|u| UnitSums {
                    net: 0,
                    excluded: 0,
                    sectors: [(NO_SECTOR, 0); 2],
                    own_sector: u.own_sector.unwrap_or(NO_SECTOR),
                })
                .collect(),
            overflow: FastMap::default(),
            row_unit: Vec::with_capacity(rows.len()),
            row_rule: Vec::with_capacity(rows.len()),
        };
        // Per (fact key, flags): the other fields' rule bits, or u64::MAX before they are known (all
        // 64 bits set would need 64 rules matching at once, which the memo then merely recomputes).
        let mut other_memo: Vec<u64> = if split {
            vec![u64::MAX; payments.fact_keys.len() * 4]
        } else {
            Vec::new()
        };
        type RuleKey = (u32, u32, u32, u32, u32, bool, bool);
        let mut rule_memo: FastMap<RuleKey, u8> = FastMap::default();
        for row in rows {
            let key = &mut p.keys[row.supplier_key as usize];
            let (name_mask, unit, flags) = (key.name_mask, key.unit, key.flags);
            if unit == u32::MAX {
                p.row_unit.push(u32::MAX);
                p.row_rule.push(u8::MAX);
                continue;
            }
            let amount = row.amount_pence;
            p.total += amount;
            key.payments += 1;
            key.pence += amount;
            let (public, individual) = (flags & 2 != 0, flags & 1 != 0);
            let facts = || PaymentFacts {
                supplier_name: strings.get(row.supplier_name),
                expense_type: strings.get(row.expense_type),
                expense_area: strings.get(row.expense_area),
                purpose: strings.get(row.purpose),
                creditor_type: strings.get(row.creditor_type),
                public,
                individual,
            };
            let rule = if split {
                let slot = row.fact_key as usize * 4 + usize::from(flags);
                if other_memo[slot] == u64::MAX {
                    other_memo[slot] = rules.other_mask(&facts()).unwrap_or(0);
                }
                RuleSet::first_of(name_mask | other_memo[slot])
                    .map_or(u8::MAX, |i| i.min(254) as u8)
            } else {
                let rk: RuleKey = (
                    row.supplier_name,
                    row.expense_type,
                    row.expense_area,
                    row.purpose,
                    row.creditor_type,
                    public,
                    individual,
                );
                *rule_memo.entry(rk).or_insert_with(|| {
                    rules
                        .first_match(&facts())
                        .map_or(u8::MAX, |i| i.min(254) as u8)
                })
            };
            p.row_unit.push(unit);
            p.row_rule.push(rule);
            let us = &mut p.units[unit as usize];
            if rule != u8::MAX {
                p.excluded += amount;
                let e = &mut p.by_rule[rule as usize];
                e.0 += amount;
                e.1 += 1;
                us.excluded += amount;
                continue;
            }
            us.net += amount;
            let sec = match fact_sector[row.fact_key as usize] {
                NO_SECTOR => us.own_sector,
                s => s,
            };
            match us
                .sectors
                .iter_mut()
                .find(|(s, _)| *s == sec || *s == NO_SECTOR)
            {
                Some(slot) => {
                    slot.0 = sec;
                    slot.1 += amount;
                }
                None => {
                    *p.overflow
                        .entry(u64::from(unit) << 32 | u64::from(sec))
                        .or_insert(0) += amount
                }
            }
        }
        p
    });

    // Merge the chunks.
    let mut total: i64 = 0;
    let mut excluded_total: i64 = 0;
    let mut excluded_by_rule: Vec<(i64, u64)> = vec![(0, 0); n_rules];
    let mut key_sums: Vec<(u64, i64)> = vec![(0, 0); key_info.len()];
    drop(key_info);
    let mut row_unit = Vec::with_capacity(payments.rows.len());
    let mut row_rule = Vec::with_capacity(payments.rows.len());
    let add_sector =
        |u: &mut Unit, sec: u32, pence: i64| match u.sectors.iter_mut().find(|(s, _)| *s == sec) {
            Some(e) => e.1 += pence,
            None => u.sectors.push((sec, pence)),
        };
    for p in parts {
        total += p.total;
        excluded_total += p.excluded;
        for (e, (pence, n)) in excluded_by_rule.iter_mut().zip(p.by_rule) {
            e.0 += pence;
            e.1 += n;
        }
        for (k, key) in key_sums.iter_mut().zip(p.keys) {
            k.0 += key.payments;
            k.1 += key.pence;
        }
        for (u, sums) in units.iter_mut().zip(p.units) {
            u.net_pence += sums.net;
            u.excluded_pence += sums.excluded;
            for (sec, pence) in sums.sectors {
                if sec != NO_SECTOR {
                    add_sector(u, sec, pence);
                }
            }
        }
        for (key, pence) in p.overflow {
            add_sector(&mut units[(key >> 32) as usize], key as u32, pence);
        }
        row_unit.extend(p.row_unit);
        row_rule.extend(p.row_rule);
    }
    for u in &mut units {
        u.sectors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    // Per resolved key, in order of first appearance: how it resolved, its payments and pence.
    let name_res: Vec<(SupplierKey, NameRes)> = resolved
        .iter()
        .enumerate()
        .filter_map(|(k, r)| {
            r.as_ref().map(|r| {
                (
                    payments.supplier_keys[k],
                    NameRes {
                        method: r.method,
                        payments: key_sums[k].0,
                        pence: key_sums[k].1,
                    },
                )
            })
        })
        .collect();

    // 3. Scopes.
    let analysed_units: Vec<u32> = (0..units.len() as u32)
        .filter(|&u| units[u as usize].net_pence > 0)
        .collect();
    let net_credit: i64 = units
        .iter()
        .filter(|u| u.net_pence <= 0)
        .map(|u| u.net_pence)
        .sum();
    let mut top: Vec<u32> = Vec::new();
    for b in 0..bodies.len() as u16 {
        let mine: Vec<u32> = analysed_units
            .iter()
            .copied()
            .filter(|&u| units[u as usize].body == b)
            .collect();
        top.extend(largest(&units, mine, opts.top_n));
    }
    let unit_of_supplier = units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| u.supplier.map(|s| ((u.body, s), i as u32)))
        .collect();
    let ctx = Ctx {
        bodies,
        unit_of_supplier,
        units: &units,
        sector_names: &sector_names,
        geo,
        opts,
        local: &local,
    };
    let base_spend = ScopeSpend {
        total_pence: total,
        excluded_pence: excluded_total,
        net_credit_pence: net_credit,
        analysed_pence: 0,
        outside_scope_pence: 0,
    };
    let (all, top_scope) = crate::par::join(
        || ctx.scope(&analysed_units, None, base_spend),
        || ctx.scope(&top, Some(opts.top_n), base_spend),
    );

    // Per body and group averages.
    let body_summaries = body_summaries(bodies, &units, &analysed_units, &top, &ctx);
    let group = (bodies.len() > 1).then(|| {
        let mean = |f: &dyn Fn(&BodySummary) -> (i64, Shares)| -> Shares {
            let v: Vec<Shares> = body_summaries
                .iter()
                .map(f)
                .filter(|(a, _)| *a > 0)
                .map(|(_, s)| s)
                .collect();
            mean_shares(&v)
        };
        GroupAverages {
            weighted_all: all.shares,
            mean_of_bodies_all: mean(&|b| (b.all_analysed_pence, b.all)),
            weighted_top_n: top_scope.shares,
            mean_of_bodies_top_n: mean(&|b| (b.top_n_analysed_pence, b.top_n)),
        }
    });

    // Match rates and the review queue.
    let (match_rates, review) = rates_and_review(
        &name_res,
        bodies,
        &matchers,
        strings,
        opts.matching.review_floor,
    );
    let exclusions = rules
        .rules()
        .zip(&excluded_by_rule)
        .map(|(r, (p, n))| ExclusionRow {
            key: r.key.clone(),
            label: r.label.clone(),
            pence: *p,
            payments: *n,
        })
        .collect();
    let settings = serde_json::json!({
        "top_n": opts.top_n,
        "imd": opts.imd.label(),
        "sector_basis": opts.sector,
        "auto_accept": opts.matching.auto_accept,
        "review_floor": opts.matching.review_floor,
        "opportunity_share": opts.opportunity_share,
        "rules": opts.rules.iter().filter(|r| r.enabled).map(|r| &r.key).collect::<Vec<_>>(),
    });
    Report {
        year: opts.year.clone(),
        bodies: bodies.iter().map(|b| b.name.clone()).collect(),
        local: opts.local.clone(),
        wider: opts.wider.clone(),
        settings,
        all,
        top_n: top_scope,
        exclusions,
        match_rates,
        review,
        body_summaries,
        group,
        baseline: None,
        units,
        sector_names,
        row_unit,
        row_rule,
    }
}

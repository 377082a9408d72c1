//! Helpers of the analysis: the largest units, locating a unit, measuring a set of units, change rows.

#[allow(unused_imports)]
use super::*;

/// The `n` units of `set` with the largest net spend, largest first (ties by name, then by order of
/// first appearance), without sorting the rest.
pub fn largest(units: &[Unit], mut set: Vec<u32>, n: usize) -> Vec<u32> {
    let order = |a: &u32, b: &u32| {
        let (ua, ub) = (&units[*a as usize], &units[*b as usize]);
        ub.net_pence
            .cmp(&ua.net_pence)
            .then_with(|| ua.name.cmp(&ub.name))
            .then(a.cmp(b))
    };
    if n < set.len() {
        if n == 0 {
            return Vec::new();
        }
        set.select_nth_unstable_by(n - 1, order);
        set.truncate(n);
    }
    set.sort_unstable_by(order);
    set
}

pub(super) fn mean_shares(v: &[Shares]) -> Shares {
    if v.is_empty() {
        return Shares::default();
    }
    let n = v.len() as f64;
    let m = |f: fn(&Shares) -> f64| v.iter().map(f).sum::<f64>() / n;
    Shares {
        local: m(|s| s.local),
        wider: m(|s| s.wider),
        leakage: m(|s| s.leakage),
        deprived_decile_1: m(|s| s.deprived_decile_1),
        deprived_decile_1_2: m(|s| s.deprived_decile_1_2),
        sme: m(|s| s.sme),
        large: m(|s| s.large),
        unknown_size: m(|s| s.unknown_size),
        vcse: m(|s| s.vcse),
        public: m(|s| s.public),
        individual_redacted: m(|s| s.individual_redacted),
        unknown_location: m(|s| s.unknown_location),
        linked: m(|s| s.linked),
    }
}

/// Locates a supplier record's sites.
pub(super) fn locate(
    info: &SupplierInfo,
    geo: &GeoIndex,
    local: &HashSet<AreaCode>,
    wider: &HashSet<AreaCode>,
    imd: ImdChoice,
) -> UnitLocation {
    let mut found: Vec<(&Site, levers_geo::Located)> = Vec::new();
    for s in &info.sites {
        if let Ok(p) = Postcode::parse(&s.postcode)
            && let Some(l) = geo.locate(&p)
            && l.lad.is_some()
        {
            found.push((s, l));
        }
    }
    let is_local = |l: &levers_geo::Located| l.lad.is_some_and(|c| local.contains(&c));
    let is_wider = |l: &levers_geo::Located| l.lad.is_some_and(|c| wider.contains(&c));
    let pick = found
        .iter()
        .find(|(_, l)| is_local(l))
        .or_else(|| found.iter().find(|(_, l)| is_wider(l)))
        .or(found.first());
    let Some((site, l)) = pick else {
        return UnitLocation {
            postcode: info.sites.first().map(|s| s.postcode.clone()),
            ..UnitLocation::default()
        };
    };
    UnitLocation {
        located: true,
        local: found.iter().any(|(_, l)| is_local(l)),
        wider: found.iter().any(|(_, l)| is_wider(l)),
        postcode: Some(site.postcode.clone()),
        ward: l.ward,
        lad: l.lad,
        decile: match imd {
            ImdChoice::Imd2019 => l.imd2019_decile,
            ImdChoice::Imd2025 => l.imd2025_decile,
        },
        source: Some(site.source),
    }
}

pub(super) struct Ctx<'a> {
    pub(super) bodies: &'a [BodyData],
    /// (body, supplier index) → its unit, for suppliers paid this year.
    pub(super) unit_of_supplier: HashMap<(u16, u32), u32>,
    pub(super) units: &'a [Unit],
    pub(super) sector_names: &'a [String],
    pub(super) geo: &'a GeoIndex,
    pub(super) opts: &'a AnalysisOptions,
    pub(super) local: &'a HashSet<AreaCode>,
}

impl Ctx<'_> {
    pub(super) fn pounds(&self, set: &[u32]) -> (Pounds, i64) {
        let mut p = Pounds::default();
        let mut analysed = 0i64;
        for &u in set {
            let u = &self.units[u as usize];
            let v = u.net_pence;
            analysed += v;
            let l = &u.loc;
            if l.local {
                p.local_pence += v;
            }
            if l.wider {
                p.wider_pence += v;
            }
            if l.decile == Some(1) {
                p.deprived_decile_1_pence += v;
            }
            if l.decile.is_some_and(|d| d <= 2) {
                p.deprived_decile_1_2_pence += v;
            }
            if !l.located {
                p.unlocated_pence += v;
            }
            let c = &u.class;
            if c.individual || u.redacted {
                p.individual_redacted_pence += v;
            } else {
                match c.size {
                    SizeClass::Sme => p.sme_pence += v,
                    SizeClass::Large => p.large_pence += v,
                    SizeClass::Unknown => p.unknown_size_pence += v,
                }
            }
            if c.vcse {
                p.vcse_pence += v;
            }
            if c.public {
                p.public_pence += v;
            }
            if u.supplier.is_some() {
                p.linked_pence += v;
            }
        }
        p.leakage_pence = analysed - p.wider_pence;
        p.wider_outside_local_pence = p.wider_pence - p.local_pence;
        (p, analysed)
    }

    pub(super) fn row(&self, ui: u32) -> SupplierRow {
        let u = &self.units[ui as usize];
        SupplierRow {
            unit: ui,
            name: u.name.clone(),
            body: self.bodies[u.body as usize].name.clone(),
            pence: u.net_pence,
            linked: u.supplier.is_some(),
            local: u.loc.local,
            wider: u.loc.wider,
            located: u.loc.located,
            postcode: u.loc.postcode.clone(),
            ward: u.loc.ward.map(|w| {
                self.geo
                    .name(&w)
                    .map_or_else(|| w.to_string(), str::to_string)
            }),
            decile: u.loc.decile,
            location_source: u.loc.source,
            size: u.class.size,
            vcse: u.class.vcse,
            public: u.class.public,
            individual_redacted: u.class.individual || u.redacted,
        }
    }

    pub(super) fn scope(&self, set: &[u32], n: Option<usize>, base: ScopeSpend) -> Scope {
        let (pounds, analysed) = self.pounds(set);
        let all_analysed: i64 = self
            .units
            .iter()
            .filter(|u| u.net_pence > 0)
            .map(|u| u.net_pence)
            .sum();
        let spend = ScopeSpend {
            analysed_pence: analysed,
            outside_scope_pence: all_analysed - analysed,
            ..base
        };
        let units = self.units;
        let counts = SupplierCounts {
            analysed: set.len() as u64,
            located: set
                .iter()
                .filter(|&&u| units[u as usize].loc.located)
                .count() as u64,
            local: set.iter().filter(|&&u| units[u as usize].loc.local).count() as u64,
            wider: set.iter().filter(|&&u| units[u as usize].loc.wider).count() as u64,
            linked: set
                .iter()
                .filter(|&&u| units[u as usize].supplier.is_some())
                .count() as u64,
        };

        // By sector.
        let mut sec: FastMap<u32, (i64, i64, i64, u64, u64)> = FastMap::default();
        for &ui in set {
            let u = &units[ui as usize];
            for &(s, p) in &u.sectors {
                let e = sec.entry(s).or_default();
                e.0 += p;
                if u.loc.local {
                    e.1 += p;
                    e.4 += 1;
                }
                if u.loc.wider {
                    e.2 += p;
                }
                e.3 += 1;
            }
        }
        let mut by_sector: Vec<SectorRow> = sec
            .into_iter()
            .map(|(s, (a, l, w, n, ln))| SectorRow {
                sector: self.sector_names[s as usize].clone(),
                analysed_pence: a,
                local_pence: l,
                wider_pence: w,
                leakage_pence: a - w,
                leakage_share: if a > 0 {
                    (a - w) as f64 / a as f64
                } else {
                    0.0
                },
                suppliers: n,
                local_suppliers: ln,
            })
            .collect();
        by_sector.sort_by(|a, b| {
            b.analysed_pence
                .cmp(&a.analysed_pence)
                .then_with(|| a.sector.cmp(&b.sector))
        });

        // By ward: every ward of the local districts, with the spend attributed to it.
        let mut wards: HashMap<AreaCode, (i64, u64)> = HashMap::new();
        for lad in &self.opts.local.lads {
            if let Some(p) = self.geo.area(lad) {
                for w in p.wards {
                    wards.entry(w.code).or_default();
                }
            }
        }
        for &ui in set {
            let u = &units[ui as usize];
            if u.loc.local
                && let Some(w) = u.loc.ward
            {
                let e = wards.entry(w).or_default();
                e.0 += u.net_pence;
                e.1 += 1;
            }
        }
        let mut by_ward: Vec<WardRow> = wards
            .into_iter()
            .filter(|(c, _)| c.kind() == AreaKind::Ward)
            .map(|(code, (pence, suppliers))| {
                let prof = self.geo.area(&code);
                let (lsoas, d1, d12) = prof.as_ref().map_or((0, 0, 0), |p| {
                    let d = match self.opts.imd {
                        ImdChoice::Imd2019 => p.imd2019_deciles,
                        ImdChoice::Imd2025 => p.imd2025_deciles,
                    };
                    (d.iter().sum::<u32>(), d[0], d[0] + d[1])
                });
                WardRow {
                    code,
                    name: prof.as_ref().and_then(|p| p.name.clone()),
                    lad: prof.as_ref().and_then(|p| {
                        p.parents
                            .iter()
                            .find(|a| a.code.kind() == AreaKind::District)
                            .map(|a| a.code)
                    }),
                    pence,
                    share: if analysed > 0 {
                        pence as f64 / analysed as f64
                    } else {
                        0.0
                    },
                    suppliers,
                    lsoas,
                    lsoas_decile_1: d1,
                    lsoas_decile_1_2: d12,
                }
            })
            .collect();
        // Most deprived wards first (share of neighbourhoods in deciles 1–2), then by name.
        by_ward.sort_by(|a, b| {
            let r = |w: &WardRow| {
                if w.lsoas > 0 {
                    f64::from(w.lsoas_decile_1_2) / f64::from(w.lsoas)
                } else {
                    0.0
                }
            };
            r(b).total_cmp(&r(a))
                .then_with(|| a.name.cmp(&b.name))
                .then(a.code.cmp(&b.code))
        });

        // By spend band (a unit's annual value with its body).
        let mut by_band: Vec<BandRow> = BANDS
            .iter()
            .map(|(_, l)| BandRow {
                band: l.to_string(),
                suppliers: 0,
                pence: 0,
                local_pence: 0,
            })
            .collect();
        for &ui in set {
            let u = &units[ui as usize];
            let i = BANDS
                .iter()
                .position(|(lim, _)| u.net_pence < *lim)
                .unwrap_or(BANDS.len() - 1);
            by_band[i].suppliers += 1;
            by_band[i].pence += u.net_pence;
            if u.loc.local {
                by_band[i].local_pence += u.net_pence;
            }
        }

        // Location sources.
        let mut src: HashMap<Option<LocationSource>, (i64, u64)> = HashMap::new();
        for &ui in set {
            let u = &units[ui as usize];
            let e = src.entry(u.loc.source).or_default();
            e.0 += u.net_pence;
            e.1 += 1;
        }
        let mut location_sources: Vec<SourceRow> = src
            .into_iter()
            .map(|(s, (p, n))| SourceRow {
                source: s,
                label: s.map_or("Not located".to_string(), |s| s.label().to_string()),
                pence: p,
                share: if analysed > 0 {
                    p as f64 / analysed as f64
                } else {
                    0.0
                },
                suppliers: n,
            })
            .collect();
        location_sources.sort_by(|a, b| {
            a.source
                .is_none()
                .cmp(&b.source.is_none())
                .then(a.source.cmp(&b.source))
        });

        // Opportunities: sectors leaking at least the threshold share, with local suppliers of that sector.
        let opportunities = self.opportunities(&by_sector);

        let top_suppliers = largest(units, set.to_vec(), 20)
            .into_iter()
            .map(|u| self.row(u))
            .collect();
        Scope {
            n,
            spend,
            shares: Shares::of(&pounds, analysed),
            pounds,
            suppliers: counts,
            by_sector,
            by_ward,
            by_band,
            opportunities,
            top_suppliers,
            location_sources,
        }
    }

    pub(super) fn opportunities(&self, by_sector: &[SectorRow]) -> Vec<Opportunity> {
        let leaking: Vec<&SectorRow> = by_sector
            .iter()
            .filter(|s| {
                s.analysed_pence > 0
                    && s.leakage_pence > 0
                    && s.leakage_share >= self.opts.opportunity_share
                    && s.sector != "Unknown sector"
            })
            .collect();
        if leaking.is_empty() {
            return Vec::new();
        }
        let by_name: HashMap<&str, usize> = leaking
            .iter()
            .enumerate()
            .map(|(i, s)| (s.sector.as_str(), i))
            .collect();
        let by_id: HashMap<u32, usize> = self
            .sector_names
            .iter()
            .enumerate()
            .filter_map(|(id, n)| by_name.get(n.as_str()).map(|&i| (id as u32, i)))
            .collect();
        let mut local: Vec<Vec<LocalSupplier>> = vec![Vec::new(); leaking.len()];
        let mut seen: Vec<HashSet<(u16, u32)>> = vec![HashSet::new(); leaking.len()];
        // Local suppliers paid for each sector this year …
        for u in self.units.iter().filter(|u| u.loc.local) {
            let Some(si) = u.supplier else { continue };
            for &(x, p) in &u.sectors {
                if let Some(&i) = by_id.get(&x)
                    && seen[i].insert((u.body, si))
                {
                    local[i].push(LocalSupplier {
                        name: u.name.clone(),
                        postcode: u.loc.postcode.clone(),
                        ward: u
                            .loc
                            .ward
                            .and_then(|w| self.geo.name(&w).map(str::to_string)),
                        sector_pence: p.max(0),
                    });
                }
            }
        }
        // … and local suppliers on record whose own sector is one of them (paid or not).
        let mut wider: Option<HashSet<AreaCode>> = None;
        for (b, body) in self.bodies.iter().enumerate() {
            for (si, info) in body.suppliers.iter().enumerate() {
                let Some(&i) = info.sector.as_deref().and_then(|s| by_name.get(s.trim())) else {
                    continue;
                };
                if seen[i].contains(&(b as u16, si as u32)) {
                    continue;
                }
                let loc = match self.unit_of_supplier.get(&(b as u16, si as u32)) {
                    Some(&u) => self.units[u as usize].loc.clone(),
                    None => {
                        let wider = wider
                            .get_or_insert_with(|| self.opts.wider.lads.iter().copied().collect());
                        locate(info, self.geo, self.local, wider, self.opts.imd)
                    }
                };
                if loc.local {
                    seen[i].insert((b as u16, si as u32));
                    local[i].push(LocalSupplier {
                        name: info.name.clone(),
                        postcode: loc.postcode.clone(),
                        ward: loc.ward.and_then(|w| self.geo.name(&w).map(str::to_string)),
                        sector_pence: 0,
                    });
                }
            }
        }
        let mut out: Vec<Opportunity> = leaking
            .into_iter()
            .zip(local)
            .filter(|(_, l)| !l.is_empty())
            .map(|(s, mut l)| {
                l.sort_by(|a, b| {
                    b.sector_pence
                        .cmp(&a.sector_pence)
                        .then_with(|| a.name.cmp(&b.name))
                });
                Opportunity {
                    sector: s.sector.clone(),
                    analysed_pence: s.analysed_pence,
                    leakage_pence: s.leakage_pence,
                    leakage_share: s.leakage_share,
                    local_suppliers: l,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.leakage_pence
                .cmp(&a.leakage_pence)
                .then_with(|| a.sector.cmp(&b.sector))
        });
        out
    }
}

pub(super) fn change_rows(cur: &Scope, base: &Scope) -> Vec<ChangeRow> {
    #[allow(clippy::type_complexity)]
    let rows: [(&str, &str, fn(&Shares) -> f64, fn(&Pounds) -> i64); 7] = [
        ("local", "Local", |s| s.local, |p| p.local_pence),
        ("wider", "Wider area", |s| s.wider, |p| p.wider_pence),
        (
            "deprived_decile_1",
            "Most deprived 10%",
            |s| s.deprived_decile_1,
            |p| p.deprived_decile_1_pence,
        ),
        (
            "deprived_decile_1_2",
            "Most deprived 20%",
            |s| s.deprived_decile_1_2,
            |p| p.deprived_decile_1_2_pence,
        ),
        ("sme", "SMEs", |s| s.sme, |p| p.sme_pence),
        ("vcse", "VCSE", |s| s.vcse, |p| p.vcse_pence),
        ("leakage", "Leakage", |s| s.leakage, |p| p.leakage_pence),
    ];
    rows.iter()
        .map(|(k, l, s, p)| ChangeRow {
            key: k.to_string(),
            label: l.to_string(),
            baseline_share: s(&base.shares),
            share: s(&cur.shares),
            points: (s(&cur.shares) - s(&base.shares)) * 100.0,
            baseline_pence: p(&base.pounds),
            pence: p(&cur.pounds),
            change_pence: p(&cur.pounds) - p(&base.pounds),
        })
        .collect()
}

//! What the analysis reports beside the scopes: each body's own shares, and how each way of
//! naming a supplier was matched (rates by method, and the queue of names left to an officer).

#[allow(unused_imports)]
use super::*;

/// How one resolved way of naming a supplier was matched, with its payments and pence.
pub(super) struct NameRes {
    pub(super) method: MatchMethod,
    pub(super) payments: u64,
    pub(super) pence: i64,
}

/// Each body's shares of all its analysed suppliers and of its top N.
pub(super) fn body_summaries(
    bodies: &[BodyData],
    units: &[Unit],
    analysed_units: &[u32],
    top: &[u32],
    ctx: &Ctx<'_>,
) -> Vec<BodySummary> {
    let mut body_summaries = Vec::new();
    for (b, body) in bodies.iter().enumerate() {
        let mine: Vec<u32> = analysed_units
            .iter()
            .copied()
            .filter(|&u| units[u as usize].body == b as u16)
            .collect();
        let mine_top: Vec<u32> = top
            .iter()
            .copied()
            .filter(|&u| units[u as usize].body == b as u16)
            .collect();
        let (pa, aa) = ctx.pounds(&mine);
        let (pt, at) = ctx.pounds(&mine_top);
        body_summaries.push(BodySummary {
            name: body.name.clone(),
            all_analysed_pence: aa,
            all: Shares::of(&pa, aa),
            top_n_analysed_pence: at,
            top_n: Shares::of(&pt, at),
        });
    }
    body_summaries
}

/// Match rates by method, and the review queue: largest spend first, each normalised name once
/// per body, with up to three suggestions at or above `review_floor`.
pub(super) fn rates_and_review(
    name_res: &[(SupplierKey, NameRes)],
    bodies: &[BodyData],
    matchers: &[Matcher],
    strings: &Interner,
    review_floor: f64,
) -> (Vec<MatchRow>, Vec<ReviewItem>) {
    let mut rates: HashMap<MatchMethod, (u64, u64, i64)> = HashMap::new();
    let mut review = Vec::new();
    for (nk, nr) in name_res {
        let e = rates.entry(nr.method).or_default();
        e.0 += 1;
        e.1 += nr.payments;
        e.2 += nr.pence;
        if nr.method == MatchMethod::Review {
            let body = &bodies[nk.0 as usize];
            let name = strings.get(nk.5).to_string();
            let normalised = normalise_name(&name);
            let suggestions = matchers[nk.0 as usize]
                .suggestions(&normalised, review_floor, 3)
                .into_iter()
                .map(|(i, s)| (body.suppliers[i].key, body.suppliers[i].name.clone(), s))
                .collect();
            review.push(ReviewItem {
                body: body.name.clone(),
                name,
                normalised,
                suggestions,
                payments: nr.payments,
                pence: nr.pence,
            });
        }
    }
    review.sort_by(|a, b| b.pence.cmp(&a.pence).then_with(|| a.name.cmp(&b.name)));
    // Several spellings can share a normalised name: list each normalised name once per body.
    review.dedup_by(|a, b| a.body == b.body && a.normalised == b.normalised);
    let match_rates = MatchMethod::ALL
        .iter()
        .map(|m| {
            let (n, p, pence) = rates.get(m).copied().unwrap_or_default();
            MatchRow {
                method: *m,
                label: m.label().to_string(),
                names: n,
                payments: p,
                pence,
            }
        })
        .collect();
    (match_rates, review)
}

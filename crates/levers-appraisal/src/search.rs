//! Searching the unit cost library by words: every word must appear in the code, description,
//! outcome category or detail, or agency; codes that match exactly come first.

use crate::library::UnitCost;

/// The costs matching every word of `query` (case-insensitive), best first, at most `limit`.
/// An exact code match ranks first, then matches in the description, then elsewhere; ties keep the
/// library's order.
pub fn search_costs<'a>(costs: &'a [UnitCost], query: &str, limit: usize) -> Vec<&'a UnitCost> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<(u8, usize, &UnitCost)> = costs
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let hay = format!(
                "{} {} {} {} {} {} {}",
                c.code, c.description, c.category, c.detail, c.theme, c.agency, c.agency_detail
            )
            .to_lowercase();
            if !words.iter().all(|w| hay.contains(w.as_str())) {
                return None;
            }
            let description = c.description.to_lowercase();
            let rank = if words.len() == 1 && c.code.eq_ignore_ascii_case(&words[0]) {
                0
            } else if words.iter().all(|w| description.contains(w.as_str())) {
                1
            } else {
                2
            };
            Some((rank, i, c))
        })
        .collect();
    hits.sort_by_key(|(rank, i, _)| (*rank, *i));
    hits.into_iter().take(limit).map(|(_, _, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::read_unit_costs;

    const LIB: &str = "cost_code,description,unit,agency_level1,fiscal_value,fiscal_price_year,outcome_category\n\
        HO1.0,Average fiscal cost of a complex eviction,Per incident,Local authority,6680,2010/11,EVICTION\n\
        HO1.0.1,Cost of writing off rent arrears,Per incident,Local authority,1900,2010/11,EVICTION\n\
        E&E3.0.1,Fiscal benefit from a workless claimant entering work - benefits payments,Per claimant per year,DWP,7004,2012/13,WORKLESSNESS\n";

    #[test]
    fn every_word_must_match_and_codes_rank_first() {
        let (costs, _) = read_unit_costs("lib.csv", LIB.as_bytes()).unwrap();
        let codes = |q: &str| {
            search_costs(&costs, q, 10)
                .iter()
                .map(|c| c.code.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(codes("eviction"), ["HO1.0", "HO1.0.1"]);
        assert_eq!(codes("EVICTION arrears"), ["HO1.0.1"]);
        assert_eq!(codes("ho1.0.1"), ["HO1.0.1"]);
        assert_eq!(codes("dwp work"), ["E&E3.0.1"]);
        assert!(codes("   ").is_empty());
        assert_eq!(search_costs(&costs, "cost", 1).len(), 1);
    }
}

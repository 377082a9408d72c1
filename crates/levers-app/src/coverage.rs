//! Co-production coverage as JSON, the same for the API and `levers coproduction coverage --json`.

use levers_coproduction::{Coverage, Quarter, Tally};
use serde_json::json;

/// The coverage report as JSON (the API and `levers coproduction coverage --json`).
pub fn coverage_json(c: &Coverage, trend: &[(Quarter, Tally)]) -> serde_json::Value {
    fn t(t: &Tally) -> serde_json::Value {
        json!({
            "activities": t.activities, "value_pence": t.value.pence(),
            "two_plus_stages": t.two_plus, "two_plus_stages_value_pence": t.two_plus_value.pence(),
            "two_plus_stages_share": t.two_plus_share(), "two_plus_stages_value_share": t.two_plus_value_share(),
            "all_four_stages": t.all_four, "all_four_stages_value_pence": t.all_four_value.pence(),
            "all_four_stages_share": t.all_four_share(), "all_four_stages_value_share": t.all_four_value_share(),
            "provider_contract_only": t.provider_only, "provider_contract_only_value_pence": t.provider_only_value.pence(),
            "provider_contract_only_share": t.provider_only_share(), "provider_contract_only_value_share": t.provider_only_value_share(),
            "none": t.none, "none_value_pence": t.none_value.pence(),
        })
    }
    json!({
        "definition": "co-produced = co-design or above on Think Local Act Personal's ladder of co-production, at a stage of the Institute of Public Care commissioning cycle (Analyse, Plan, Do, Review)",
        "overall": t(&c.overall),
        "by_directorate": c.by_directorate.iter().map(|(d, x)| json!({"directorate": d, "coverage": t(x)})).collect::<Vec<_>>(),
        "by_value_band": c.by_band.iter().map(|(b, x)| json!({"band": b.name(), "label": b.label(), "coverage": t(x)})).collect::<Vec<_>>(),
        "by_stage_count": c.by_stage_count,
        "strategy_objectives": c.objectives,
        "by_quarter": trend.iter().map(|(q, x)| json!({"quarter": q.to_string(), "coverage": t(x)})).collect::<Vec<_>>(),
    })
}

//! The ward profile (or any place view) as tables to take away: its figures in the tidy shape of
//! the imported indicators (area, figure, value, unit), its neighbourhoods, each lever's reach into
//! the most deprived neighbourhoods and the official indicators. levers-present writes them as CSV
//! (the figures) and XLSX (every table). Suppressed counts stay empty, with the note saying why.

use levers_core::table::{Table, Value};

use super::view::PlaceView;

/// The view's figures, one row each: area code and name, figure, value, unit, note.
pub fn figures_table(v: &PlaceView) -> Table {
    let mut t = Table::new(
        "Figures",
        &["area_code", "area_name", "figure", "value", "unit", "note"],
    );
    let f = &v.figures;
    let mut row = |figure: &str, value: Value, unit: &str, note: &str| {
        t.push(vec![
            Value::text(&v.code),
            Value::text(&v.name),
            Value::text(figure),
            value,
            Value::text(unit),
            Value::text(note),
        ]);
    };
    row(
        "Residents",
        f.population.map_or(Value::Empty, Value::Number),
        "people",
        &v.population_note,
    );
    let lsoas = v.deciles.iter().sum::<u32>() + v.deciles_missing;
    row(
        &format!("Neighbourhoods in the most deprived 20% ({})", v.imd),
        Value::Number(f64::from(v.deciles[0] + v.deciles[1])),
        "LSOAs",
        &format!("of {lsoas} neighbourhoods ({} codes)", v.lsoa_vintage),
    );
    let year = v.spend_year.clone().unwrap_or_default();
    row(
        "Spend with suppliers based here",
        Value::Pence(f.spend_pence),
        "GBP",
        &year,
    );
    row(
        "Suppliers based here paid",
        Value::Number(f.spend_suppliers as f64),
        "suppliers",
        &year,
    );
    row(
        "Spend per resident",
        f.spend_per_resident_pence()
            .map_or(Value::Empty, Value::Pence),
        "GBP",
        &year,
    );
    row(
        "Community budget projects funded",
        Value::Number(f.pb_projects as f64),
        "projects",
        "",
    );
    row(
        "Community budget money for funded projects",
        Value::Pence(f.pb_pence),
        "GBP",
        "",
    );
    row(
        "Community budget turnout",
        f.turnout_share().map_or(Value::Empty, Value::Share),
        "share of codes used",
        &format!("{} of {} codes used", f.turnout_voted, f.turnout_issued),
    );
    row(
        "Commissioning activities placed here",
        Value::Number(f.activities as f64),
        "activities",
        "",
    );
    row(
        "Annual value of those activities",
        Value::Pence(f.activities_value_pence),
        "GBP",
        "",
    );
    row(
        "Activities co-produced at two or more stages",
        Value::Number(f.activities_coproduced as f64),
        "activities",
        "",
    );
    for (figure, n) in [
        ("Co-production participants living here", f.people),
        ("Participants involved", f.people_involved),
        ("Time credits earned", f.credits),
    ] {
        let note = if n.is_none() {
            v.suppression_note.as_str()
        } else {
            ""
        };
        row(figure, Value::count(n), "people", note);
    }
    t
}

/// Every table of the view: its figures, its neighbourhoods (or wards), each lever's reach and the
/// official indicators.
pub fn tables(v: &PlaceView) -> Vec<Table> {
    let mut rows = Table::new(
        if v.rows.iter().any(|r| r.decile.is_some()) {
            "Neighbourhoods"
        } else {
            "Areas"
        },
        &[
            "area_code",
            "area_name",
            "imd_decile",
            "lsoas_decile_1_2",
            "lsoas",
            "spend",
            "community_budget",
            "activities",
            "participants",
        ],
    );
    for r in &v.rows {
        rows.push(vec![
            Value::text(&r.code),
            Value::text(&r.name),
            r.decile
                .map_or(Value::Empty, |d| Value::Number(f64::from(d))),
            Value::Number(f64::from(r.lsoas_most_deprived)),
            Value::Number(f64::from(r.lsoas)),
            Value::Pence(r.figures.spend_pence),
            Value::Pence(r.figures.pb_pence),
            Value::Number(r.figures.activities as f64),
            Value::count(r.figures.people),
        ]);
    }
    let mut reach = Table::new(
        "Reach",
        &[
            "lever",
            "share_in_deciles_1_2",
            "residents_in_deciles_1_2",
            "concentration_index",
            "summary",
        ],
    );
    for r in &v.reach {
        let share = |s: Option<f64>| s.map_or(Value::Empty, Value::Share);
        reach.push(vec![
            Value::text(r.lever),
            share(r.reach.share_most_deprived),
            share(r.reach.population_share_most_deprived),
            r.reach.concentration.map_or(Value::Empty, Value::Number),
            Value::text(&r.reach.summary),
        ]);
    }
    let mut ind = Table::new(
        "Indicators",
        &[
            "area_code",
            "area_name",
            "period",
            "indicator",
            "measure",
            "unit",
            "value",
            "source_file",
        ],
    );
    for i in &v.indicators {
        ind.push(vec![
            Value::text(&i.area_code),
            Value::text(&i.area_name),
            Value::text(&i.period),
            Value::text(&i.indicator),
            Value::text(&i.measure),
            Value::text(&i.unit),
            Value::Number(i.value),
            Value::text(&i.file_name),
        ]);
    }
    vec![figures_table(v), rows, reach, ind]
}

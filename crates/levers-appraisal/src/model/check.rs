//! The checks on an appraisal, from a file or a form: every figure in range (fractions 0–1, counts
//! and amounts finite, years, lags, durations and list lengths bounded before anything is sized
//! from them, grades in the optimism-bias table), each error naming the line and field.

use std::collections::BTreeMap;

use super::{Appraisal, Bounds, ModelError, PerYear};
use crate::library::ValueKind;

impl Appraisal {
    /// Most cost lines, outcomes, or values of one outcome an appraisal may have.
    pub const MAX_LINES: usize = 1000;

    /// Checks every figure is in range. Fractions must be within 0–1, counts and amounts finite and
    /// counts not negative, grades 1–6.
    pub fn check(&self) -> Result<(), ModelError> {
        let err = |place: String, field: &str, message: String| ModelError {
            place,
            field: field.into(),
            message,
        };
        if self.name.trim().is_empty() {
            return Err(err(
                "the appraisal".into(),
                "name",
                "give the intervention a name".into(),
            ));
        }
        if let Some(y) = self.years
            && !(1..=200).contains(&y)
        {
            return Err(err(
                "the appraisal".into(),
                "years",
                format!("{y} is not between 1 and 200"),
            ));
        }
        for (field, n) in [
            ("costs", self.costs.len()),
            ("outcomes", self.outcomes.len()),
        ]
        .into_iter()
        .chain(self.outcomes.iter().map(|o| ("values", o.values.len())))
        {
            if n > Self::MAX_LINES {
                return Err(err(
                    "the appraisal".into(),
                    field,
                    format!(
                        "{n} {field}: at most {} (split the appraisal)",
                        Self::MAX_LINES
                    ),
                ));
            }
        }
        let table = self.optimism_bias.clone().unwrap_or_default();
        for (which, map) in [("costs", &table.costs), ("benefits", &table.benefits)] {
            for (g, b) in map {
                for (f, v) in [("low", b.low), ("central", b.central), ("high", b.high)] {
                    if !(0.0..=1.0).contains(&v) {
                        return Err(err(
                            format!("optimism_bias.{which} grade {g}"),
                            f,
                            format!("{v} is not a fraction between 0 and 1"),
                        ));
                    }
                }
                if !(b.low <= b.central && b.central <= b.high) {
                    return Err(err(
                        format!("optimism_bias.{which} grade {g}"),
                        "low/central/high",
                        "the bounds must satisfy low ≤ central ≤ high".into(),
                    ));
                }
            }
        }
        let fraction = |place: &str, field: &str, v: f64| {
            if v.is_finite() && (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(err(
                    place.into(),
                    field,
                    format!("{v} is not a fraction between 0 and 1 (write 25% as 0.25)"),
                ))
            }
        };
        let grade = |place: &str, g: Option<u8>, map: &BTreeMap<u8, Bounds>| match g {
            Some(g) if !map.contains_key(&g) => Err(err(
                place.into(),
                "confidence",
                format!("grade {g} is not in the optimism-bias table (grades 1 to 6)"),
            )),
            _ => Ok(()),
        };
        for (i, c) in self.costs.iter().enumerate() {
            let place = format!(
                "cost {} ({})",
                i + 1,
                if c.description.is_empty() {
                    &c.agency
                } else {
                    &c.description
                }
            );
            if c.agency.trim().is_empty() {
                return Err(err(place, "agency", "say which agency pays".into()));
            }
            if !c.amount.is_finite() {
                return Err(err(place, "amount", "must be a number of pounds".into()));
            }
            if c.year > 200 {
                return Err(err(
                    place,
                    "year",
                    format!("year {} is beyond year 200: give 0 to 200", c.year),
                ));
            }
            grade(&place, c.confidence, &table.costs)?;
            if let Some(ob) = c.optimism_bias {
                fraction(&place, "optimism_bias", ob)?;
            }
        }
        for o in &self.outcomes {
            let place = format!("outcome \"{}\"", o.name);
            if o.name.trim().is_empty() {
                return Err(err(
                    "an outcome".into(),
                    "name",
                    "give every outcome a name".into(),
                ));
            }
            match (&o.cohort, &o.count) {
                (None, None) => {
                    return Err(err(
                        place,
                        "cohort",
                        "give a cohort (with engagement and success) or a count".into(),
                    ));
                }
                (Some(_), Some(_)) => {
                    return Err(err(
                        place,
                        "count",
                        "give a cohort or a count, not both".into(),
                    ));
                }
                _ => {}
            }
            if o.year > 200 {
                return Err(err(
                    place,
                    "year",
                    format!("year {} is beyond year 200: give 0 to 200", o.year),
                ));
            }
            if o.lag > 100 {
                return Err(err(
                    place,
                    "lag",
                    format!("{} years of lag: give 0 to 100", o.lag),
                ));
            }
            for (field, per) in [("cohort", &o.cohort), ("count", &o.count)] {
                if let Some(per) = per {
                    if let PerYear::ByYear(list) = per
                        && list.len() > 200
                    {
                        return Err(err(place, field, "more than 200 years".into()));
                    }
                    let v = per.by_year(o.year);
                    if v.len() > 201 {
                        return Err(err(place, field, "more than 200 years".into()));
                    }
                    if let Some(bad) = v.iter().find(|n| !n.is_finite() || **n < 0.0) {
                        return Err(err(
                            place,
                            field,
                            format!("{bad} is not a number of people or outcomes (0 or more)"),
                        ));
                    }
                }
            }
            for (f, v) in [
                ("engagement", o.engagement),
                ("success", o.success),
                ("deadweight", o.deadweight),
                ("attribution", o.attribution),
                ("displacement", o.displacement),
                ("leakage", o.leakage),
                ("drop_off", o.drop_off),
            ] {
                fraction(&place, f, v)?;
            }
            if let Some(ob) = o.optimism_bias {
                fraction(&place, "optimism_bias", ob)?;
            }
            grade(&place, o.confidence, &table.benefits)?;
            if o.duration == 0 || o.duration > 100 {
                return Err(err(
                    place,
                    "duration",
                    format!("{} years: give 1 to 100", o.duration),
                ));
            }
            for (j, v) in o.values.iter().enumerate() {
                let vplace = format!("{place}, value {}", j + 1);
                if v.cost_code.is_none() && v.amount.is_none() {
                    return Err(err(
                        vplace,
                        "amount",
                        "give an amount or a cost_code from the library".into(),
                    ));
                }
                if let Some(a) = v.amount
                    && !a.is_finite()
                {
                    return Err(err(vplace, "amount", "must be a number of pounds".into()));
                }
                fraction(&vplace, "cashable", v.cashable)?;
                if v.kind != ValueKind::Fiscal && (v.transfer || v.cashable > 0.0) {
                    return Err(err(
                        vplace,
                        "transfer/cashable",
                        "only fiscal values can be transfers or cashable".into(),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Years, durations and counts are bounded before anything is sized from them: a cost in year
    /// 2,000,000,000 (which asked for 160 GB), an outcome counted in such a year, too long a list or
    /// too many lines are refused with an error naming the field.
    #[test]
    fn years_and_counts_are_bounded() {
        let base = "name = \"x\"\nprice_base = \"2019/20\"\n";
        let cases = [
            (
                "[[costs]]\nagency = \"LA\"\namount = 1\nyear = 2000000000\n",
                "year",
            ),
            (
                "[[outcomes]]\nname = \"o\"\ncount = 5\nyear = 2000000000\n[[outcomes.values]]\namount = 1\nkind = \"fiscal\"\n",
                "year",
            ),
            (
                "[[outcomes]]\nname = \"o\"\ncount = 5\nlag = 4000000000\n[[outcomes.values]]\namount = 1\nkind = \"fiscal\"\n",
                "lag",
            ),
        ];
        for (toml, field) in cases {
            let e = Appraisal::from_toml("a.toml", &format!("{base}{toml}")).unwrap_err();
            assert!(e.to_string().contains(field), "{e}");
        }
        let long: Vec<String> = (0..500).map(|_| "1".to_string()).collect();
        let e = Appraisal::from_toml(
            "a.toml",
            &format!(
                "{base}[[outcomes]]\nname = \"o\"\ncount = [{}]\n[[outcomes.values]]\namount = 1\nkind = \"fiscal\"\n",
                long.join(",")
            ),
        )
        .unwrap_err();
        assert!(e.to_string().contains("200 years"), "{e}");
        let many = "[[costs]]\nagency = \"LA\"\namount = 1\n".repeat(Appraisal::MAX_LINES + 1);
        let e = Appraisal::from_toml("a.toml", &format!("{base}{many}")).unwrap_err();
        assert!(e.to_string().contains("costs"), "{e}");
    }
}

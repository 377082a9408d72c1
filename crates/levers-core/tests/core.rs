//! Property tests for levers-core: money parsing and display round-trip, financial-year and area-code invariants.

use levers_core::{AreaCode, FinancialYear, Money};
use proptest::prelude::*;
use time::{Date, Month};

proptest! {
    #[test]
    fn money_display_parses_back(p in any::<i64>().prop_filter("abs exists", |p| *p != i64::MIN)) {
        let m = Money::from_pence(p);
        prop_assert_eq!(m.to_string().parse::<Money>().unwrap(), m);
        prop_assert_eq!(m.to_plain().parse::<Money>().unwrap(), m);
    }

    #[test]
    fn money_sum_is_order_independent(v in proptest::collection::vec(-1_000_000_000i64..1_000_000_000, 0..50)) {
        let a = Money::checked_sum(v.iter().copied().map(Money::from_pence)).unwrap();
        let b = Money::checked_sum(v.iter().rev().copied().map(Money::from_pence)).unwrap();
        prop_assert_eq!(a, b);
        prop_assert_eq!(a.pence(), v.iter().sum::<i64>());
    }

    #[test]
    fn money_parse_never_panics(s in "\\PC{0,30}") {
        let _ = s.parse::<Money>();
    }

    #[test]
    fn every_date_lies_in_its_financial_year(y in 1901i32..9000, ord in 1u16..=365) {
        let d = Date::from_ordinal_date(y, ord).unwrap();
        let fy = FinancialYear::of(d);
        prop_assert!(fy.first_day() <= d && d <= fy.last_day());
        prop_assert_eq!(fy.to_string().parse::<FinancialYear>().unwrap(), fy);
        let q = FinancialYear::quarter_of(d);
        prop_assert!((1..=4).contains(&q));
        prop_assert_eq!(q == 4, matches!(d.month(), Month::January | Month::February | Month::March));
    }

    #[test]
    fn area_codes_round_trip(n in "[EWSNKX][0-9]{8}") {
        let c = AreaCode::parse(&n.to_lowercase()).unwrap();
        prop_assert_eq!(c.as_str(), n.as_str());
        prop_assert_eq!(c.to_string().parse::<AreaCode>().unwrap(), c);
    }

    #[test]
    fn area_parse_never_panics(s in "\\PC{0,12}") {
        let _ = AreaCode::parse(&s);
    }
}

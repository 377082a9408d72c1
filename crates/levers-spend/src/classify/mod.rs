//! Classifying suppliers (size, VCSE, public sector, individual or redacted, sector) from what the
//! council declares and what the registers say, and the influenceable-spend exclusion rules (levies,
//! precepts, pensions, HMRC, payroll, loans and financing, grants and direct payments to individuals,
//! payments to other public bodies, refunds): editable, applied in order, each excluded pound
//! attributed to the first rule that matches it.
//!
//! `supplier` classifies suppliers; `rules` holds the exclusion rules and their matching.

mod rules;
mod supplier;

pub use rules::*;
pub use supplier::*;

#[cfg(test)]
mod tests {
    use super::rules::padded;
    use super::*;
    use crate::registers::CompanyRecord;
    use crate::suppliers::DeclaredType;

    #[test]
    fn sections_follow_the_sic_divisions() {
        assert_eq!(sic_section("56290"), Some('I'));
        assert_eq!(sic_section("88990"), Some('Q'));
        assert_eq!(sic_section("01110"), Some('A'));
        assert_eq!(sic_section("04000"), None);
        assert_eq!(sic_section_name('F'), "Construction");
    }

    #[test]
    fn rules_attribute_each_payment_to_the_first_match() {
        let rs = RuleSet::new(&default_rules());
        let f = |name: &'static str, ty: &'static str| PaymentFacts {
            supplier_name: name,
            expense_type: ty,
            ..Default::default()
        };
        let key = |p: PaymentFacts<'_>| {
            rs.first_match(&p)
                .map(|i| rs.rules().nth(i).unwrap().key.clone())
        };
        assert_eq!(
            key(f("Levermouth Coast Fire Authority", "Levies")).as_deref(),
            Some("levies")
        );
        assert_eq!(
            key(f("Levermouth Coast Pension Fund", "Pension contributions")).as_deref(),
            Some("pensions")
        );
        assert_eq!(
            key(f("HM Revenue & Customs", "Tax payments")).as_deref(),
            Some("hmrc")
        );
        assert_eq!(key(f("Acme Ltd", "Catering")), None);
        // Whole words only: "Levyland Ltd" is not a levy, "grants to voluntary bodies" are kept.
        assert_eq!(key(f("Levyland Ltd", "Grants to voluntary bodies")), None);
        let public = PaymentFacts {
            supplier_name: "Saltmarsh Council",
            public: true,
            ..Default::default()
        };
        assert_eq!(key(public).as_deref(), Some("public_bodies"));
        let ind = PaymentFacts {
            supplier_name: "Redacted",
            individual: true,
            ..Default::default()
        };
        assert_eq!(key(ind).as_deref(), Some("individuals"));
        // A disabled rule excludes nothing.
        let mut rules = default_rules();
        rules[0].enabled = false;
        let rs2 = RuleSet::new(&rules);
        assert_eq!(rs2.first_match(&f("Fire Authority", "Levies")), None);
    }

    #[test]
    fn suppliers_are_classified_council_first() {
        let co = CompanyRecord {
            number: "01234567".into(),
            name: "ACME LIMITED".into(),
            postcode: None,
            category: "Private Limited Company".into(),
            status: "Active".into(),
            account_category: "FULL".into(),
            sic: vec!["56290".into()],
        };
        let c = classify(Some(DeclaredType::Sme), Some(&co), None, "Acme", false);
        assert_eq!(
            (c.size, c.source, c.sic_section),
            (SizeClass::Sme, ClassSource::Council, Some('I'))
        );
        let c = classify(None, Some(&co), None, "Acme", false);
        assert_eq!(
            (c.size, c.source),
            (SizeClass::Large, ClassSource::CompaniesHouse)
        );
        let cic = CompanyRecord {
            category: "Community Interest Company".into(),
            account_category: "MICRO ENTITY".into(),
            ..co
        };
        let c = classify(None, Some(&cic), None, "Acme", false);
        assert!(c.vcse && c.size == SizeClass::Sme);
        let c = classify(None, None, None, "Saltmarsh Borough Council", false);
        assert!(c.public && c.source == ClassSource::Name);
        let c = classify(
            None,
            None,
            None,
            "Levermouth Council for Voluntary Service",
            false,
        );
        assert!(!c.public && c.vcse);
        assert!(classify(None, None, None, "REDACTED", true).individual);
    }

    proptest::proptest! {
        /// The word index finds exactly the supplier-name rules a substring search of every
        /// keyword finds, multi-word keywords and odd separators included.
        #[test]
        fn name_mask_agrees_with_searching_every_keyword(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "HMRC", "HM", "Revenue", "Customs", "national", "Insurance", "tax", "payment", "payments", "VAT",
                "apprenticeship", "levy", "Levies", "precept", "pension", "superannuation", "loan", "Public",
                "Works", "PWLB", "capital", "financing", "Acme", "Ltd", "Mr", "É", "ß", "Trust", "x", "and",
            ]), 0..7),
            seps in proptest::collection::vec(proptest::sample::select(vec![" ", "  ", "-", " & ", ".", "/", "'"]), 7),
        ) {
            let name: String = words.iter().zip(&seps).map(|(w, s)| format!("{w}{s}")).collect();
            let rs = RuleSet::new(&default_rules());
            let text = padded(&name);
            let mut brute = 0u64;
            for (i, (rule, kws)) in rs.rules.iter().enumerate() {
                if rule.fields.contains(&RuleField::SupplierName) && kws.iter().any(|k| text.contains(k.as_str())) {
                    brute |= 1 << i;
                }
            }
            proptest::prop_assert_eq!(rs.name_mask(&name), Some(brute), "{}", name);
        }
    }

    proptest::proptest! {
        /// Splitting the match into the name's rules and the other fields' rules picks the same
        /// first rule as matching the whole payment.
        #[test]
        fn split_masks_agree_with_first_match(
            name in proptest::sample::select(vec!["", "Fire Authority", "HMRC", "Acme Ltd", "Mr J Smith", "Pension Fund Trustees", "Harbour Housing Trust", "Levermouth Council"]),
            et in proptest::sample::select(vec!["", "Levies", "Pension contributions", "Catering", "Tax payments", "Grants to individuals", "Loan repayment", "ICT"]),
            area in proptest::sample::select(vec!["", "Finance", "Payroll", "Adult social care", "Treasury management"]),
            purpose in proptest::sample::select(vec!["", "Refund", "Precept", "Direct payment", "Repairs"]),
            creditor in proptest::sample::select(vec!["", "Individual", "Public body", "Company"]),
            public in proptest::bool::ANY,
            individual in proptest::bool::ANY,
            drop in 0usize..12,
        ) {
            let mut rules = default_rules();
            if drop < rules.len() {
                rules[drop].enabled = false;
            }
            let rs = RuleSet::new(&rules);
            let facts = PaymentFacts { supplier_name: name, expense_type: et, expense_area: area, purpose, creditor_type: creditor, public, individual };
            let split = RuleSet::first_of(rs.name_mask(name).unwrap() | rs.other_mask(&facts).unwrap());
            proptest::prop_assert_eq!(split, rs.first_match(&facts));
        }
    }
}

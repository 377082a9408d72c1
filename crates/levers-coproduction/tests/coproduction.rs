//! levers-coproduction's integration tests: coverage on a hand-computed fixture, and property tests of
//! the ledger (always balanced, balances equal their movements, replays never move credits twice) and
//! of the register CSV (export then import gives back the same register).

use std::collections::HashMap;

use levers_coproduction::csv_io::{read_register, write_register};
use levers_coproduction::ledger::{
    AccountId, AccountKind, Ledger, LedgerError, TransferKind, TransferRequest,
};
use levers_coproduction::register::{
    Activity, Involvement, Lead, RegisterEntry, Rung, Stage, ValueBand,
};
use levers_coproduction::{Quarter, coverage, quarterly};
use levers_core::Money;
use proptest::prelude::*;
use time::Date;
use time::macros::date;

fn activity(
    reference: &str,
    directorate: &str,
    pounds: i64,
    started_on: Date,
    objectives: &[&str],
) -> Activity {
    Activity {
        reference: reference.into(),
        service: format!("Service {reference}"),
        directorate: directorate.into(),
        annual_value: Money::from_pounds(pounds).unwrap(),
        current_stage: Stage::Do,
        procurement_ref: None,
        objectives: objectives.iter().map(|s| s.to_string()).collect(),
        started_on,
    }
}

fn inv(stage: Stage, rung: Rung, lead: Lead, held_on: Date, lived: bool) -> Involvement {
    Involvement {
        stage,
        rung,
        lead,
        held_on,
        methods: vec!["Workshop".into()],
        groups: vec!["Residents".into()],
        lived_experience: lived,
        headcount: 10,
        hours: 20,
        decisions: String::new(),
        you_said_we_did: String::new(),
    }
}

/// Eight activities in three directorates, chosen so every measure has a known answer.
fn fixture() -> Vec<RegisterEntry> {
    use Lead::*;
    use Rung::*;
    use Stage::*;
    let start = date!(2024 - 04 - 01);
    let may = date!(2024 - 05 - 01);
    let e = |a: Activity, i: Vec<Involvement>| RegisterEntry {
        activity: a,
        involvements: i,
    };
    vec![
        // A1: co-design or above at all four stages (Review only from January 2025). Lived experience.
        e(
            activity("A1", "Adults", 1_000_000, start, &["Independent living"]),
            vec![
                inv(Analyse, CoDesign, Council, may, true),
                inv(Plan, CoProduction, Council, may, false),
                inv(Do, CoDesign, Provider, may, false),
                inv(Review, CoDesign, Council, date!(2025 - 01 - 15), false),
            ],
        ),
        // A2: one stage (Plan); Review reaches only engagement.
        e(
            activity("A2", "Adults", 400_000, start, &[]),
            vec![
                inv(Plan, CoDesign, Council, may, false),
                inv(Review, Engagement, Council, may, false),
            ],
        ),
        // A3: co-production only inside the provider's contract; Analyse only consultation.
        e(
            activity("A3", "Adults", 100_000, start, &[]),
            vec![
                inv(Do, CoProduction, Provider, may, false),
                inv(Analyse, Consultation, Council, may, false),
            ],
        ),
        // C1: two stages, the second (Plan) from August 2024.
        e(
            activity(
                "C1",
                "Children's",
                2_500_000,
                start,
                &["Reduce child poverty"],
            ),
            vec![
                inv(Analyse, CoDesign, Council, may, false),
                inv(Plan, CoDesign, Council, date!(2024 - 08 - 01), false),
            ],
        ),
        // C2: nothing recorded.
        e(
            activity("C2", "Children's", 50_000, start, &["Reduce child poverty"]),
            vec![],
        ),
        // P1: provider-led co-design at Do only.
        e(
            activity("P1", "Place", 20_000, start, &[]),
            vec![inv(Do, CoDesign, Provider, may, false)],
        ),
        // P2: below co-design everywhere.
        e(
            activity("P2", "Place", 750_000, start, &["Good jobs"]),
            vec![
                inv(Analyse, Informing, Council, may, false),
                inv(Do, Consultation, Provider, may, false),
            ],
        ),
        // P3: all four, but the activity only started in October 2024.
        e(
            activity("P3", "Place", 5_000_000, date!(2024 - 10 - 01), &[]),
            [Analyse, Plan, Do, Review]
                .iter()
                .map(|s| {
                    inv(
                        *s,
                        if *s == Plan || *s == Do {
                            CoDesign
                        } else {
                            CoProduction
                        },
                        Council,
                        date!(2024 - 11 - 01),
                        false,
                    )
                })
                .collect(),
        ),
    ]
}

fn pounds(p: i64) -> Money {
    Money::from_pounds(p).unwrap()
}

#[test]
fn coverage_on_a_hand_computed_fixture() {
    let c = coverage(&fixture(), None);
    let o = c.overall;
    // 8 activities worth 1,000,000 + 400,000 + 100,000 + 2,500,000 + 50,000 + 20,000 + 750,000
    // + 5,000,000 = £9,820,000.
    assert_eq!(o.activities, 8);
    assert_eq!(o.value, pounds(9_820_000));
    // Two or more stages: A1 (4), C1 (2), P3 (4) = 3 of 8 = 0.375;
    // £1,000,000 + £2,500,000 + £5,000,000 = £8,500,000 of £9,820,000 = 0.865580…
    assert_eq!((o.two_plus, o.two_plus_value), (3, pounds(8_500_000)));
    assert!((o.two_plus_share() - 0.375).abs() < 1e-12);
    assert!((o.two_plus_value_share() - 8_500_000.0 / 9_820_000.0).abs() < 1e-12);
    assert_eq!(format!("{:.4}", o.two_plus_value_share()), "0.8656");
    // All four: A1 and P3 = 2 of 8 = 0.25; £6,000,000 of £9,820,000 = 0.6110.
    assert_eq!((o.all_four, o.all_four_value), (2, pounds(6_000_000)));
    assert_eq!(format!("{:.4}", o.all_four_value_share()), "0.6110");
    // Only in the provider's contract: A3 (£100,000) and P1 (£20,000) = 2, £120,000 = 0.0122.
    assert_eq!(
        (o.provider_only, o.provider_only_value),
        (2, pounds(120_000))
    );
    assert_eq!(format!("{:.4}", o.provider_only_value_share()), "0.0122");
    // No stage co-produced: C2 (£50,000) and P2 (£750,000).
    assert_eq!((o.none, o.none_value), (2, pounds(800_000)));
    // Stages co-produced: 0 → C2, P2; 1 → A2, A3, P1; 2 → C1; 3 → none; 4 → A1, P3.
    assert_eq!(c.by_stage_count, [2, 3, 1, 0, 2]);
    // Highest rung anywhere: none → C2; consultation (4) → P2; co-design (6) → A2, C1, P1;
    // co-production (7) → A1, A3, P3.
    assert_eq!(c.by_highest_rung, [1, 0, 0, 0, 1, 0, 3, 3]);

    // By directorate.
    let d: HashMap<&str, _> = c
        .by_directorate
        .iter()
        .map(|(k, t)| (k.as_str(), *t))
        .collect();
    assert_eq!(
        c.by_directorate
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>(),
        vec!["Adults", "Children's", "Place"]
    );
    // Adults: A1, A2, A3 = £1,500,000; two-plus A1 (£1,000,000 = 2/3 of value, 1/3 of count).
    let a = d["Adults"];
    assert_eq!(
        (
            a.activities,
            a.value,
            a.two_plus,
            a.two_plus_value,
            a.all_four,
            a.provider_only
        ),
        (3, pounds(1_500_000), 1, pounds(1_000_000), 1, 1)
    );
    assert!((a.two_plus_value_share() - 2.0 / 3.0).abs() < 1e-12);
    // Children's: C1, C2 = £2,550,000; two-plus C1; none C2.
    let ch = d["Children's"];
    assert_eq!(
        (ch.activities, ch.value, ch.two_plus, ch.all_four, ch.none),
        (2, pounds(2_550_000), 1, 0, 1)
    );
    // Place: P1, P2, P3 = £5,770,000; two-plus and all four P3 (£5,000,000); provider-only P1; none P2.
    let p = d["Place"];
    assert_eq!(
        (
            p.activities,
            p.value,
            p.two_plus_value,
            p.all_four,
            p.provider_only_value,
            p.none
        ),
        (
            3,
            pounds(5_770_000),
            pounds(5_000_000),
            1,
            pounds(20_000),
            1
        )
    );

    // By value band: under £30k P1; £30k–£250k A3, C2; £250k–£1m A2, P2; £1m–£5m A1, C1; £5m+ P3.
    let b: Vec<(ValueBand, u64, Money, u64, u64)> = c
        .by_band
        .iter()
        .map(|(k, t)| (*k, t.activities, t.value, t.two_plus, t.all_four))
        .collect();
    assert_eq!(
        b,
        vec![
            (ValueBand::Under30k, 1, pounds(20_000), 0, 0),
            (ValueBand::From30kTo250k, 2, pounds(150_000), 0, 0),
            (ValueBand::From250kTo1m, 2, pounds(1_150_000), 0, 0),
            (ValueBand::From1mTo5m, 2, pounds(3_500_000), 2, 1),
            (ValueBand::Over5m, 1, pounds(5_000_000), 1, 1),
        ]
    );

    // Strategy objectives: three are linked; only "Independent living" (A1) involved people with lived
    // experience of poverty.
    assert_eq!(
        (c.objectives.objectives, c.objectives.with_lived_experience),
        (3, 1)
    );
    assert_eq!(
        c.objectives.without,
        vec!["Good jobs".to_string(), "Reduce child poverty".to_string()]
    );
}

#[test]
fn coverage_by_quarter_on_the_fixture() {
    let q = quarterly(&fixture(), date!(2025 - 02 - 01));
    let rows: Vec<(String, u64, u64, u64)> = q
        .iter()
        .map(|(q, t)| (q.to_string(), t.activities, t.two_plus, t.all_four))
        .collect();
    assert_eq!(
        rows,
        vec![
            // Q1 (to 30 June 2024): 7 activities (P3 not started); A1 has three stages (its Review
            // comes later), C1 one: two-plus = A1 only.
            ("2024/25 Q1".to_string(), 7, 1, 0),
            // Q2: C1's Plan co-design (1 August) makes two stages: A1, C1.
            ("2024/25 Q2".to_string(), 7, 2, 0),
            // Q3: P3 started in October with all four stages in November.
            ("2024/25 Q3".to_string(), 8, 3, 1),
            // Q4 (to 1 February 2025): A1's January review completes its four.
            ("2024/25 Q4".to_string(), 8, 3, 2),
        ]
    );
    assert_eq!(q[0].0, Quarter::of(date!(2024 - 04 - 01)));
    // The value share in Q4 equals the all-time figure (nothing later than today).
    assert_eq!(q[3].1, coverage(&fixture(), None).overall);
}

// ---------------------------------------------------------------------------------------------
// The ledger, as property tests

#[derive(Debug, Clone)]
enum Op {
    AddParticipant(i64),
    AddVenue,
    Issue(usize, i64),
    Spend(usize, usize, i64),
    Gift(usize, i64),
    Grant(usize, i64),
    Redeem(usize, i64),
    Reverse(usize),
    Anonymise(usize),
    /// Send again the request made `n` operations ago (with its amount changed when `true`).
    Replay(usize, bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0i64..4).prop_map(Op::AddParticipant),
        1 => Just(Op::AddVenue),
        5 => (any::<usize>(), 1i64..20).prop_map(|(p, a)| Op::Issue(p, a)),
        4 => (any::<usize>(), any::<usize>(), 1i64..15).prop_map(|(p, v, a)| Op::Spend(p, v, a)),
        2 => (any::<usize>(), 1i64..10).prop_map(|(p, a)| Op::Gift(p, a)),
        2 => (any::<usize>(), 1i64..10).prop_map(|(p, a)| Op::Grant(p, a)),
        1 => (any::<usize>(), 1i64..10).prop_map(|(v, a)| Op::Redeem(v, a)),
        2 => any::<usize>().prop_map(Op::Reverse),
        1 => any::<usize>().prop_map(Op::Anonymise),
        3 => (1usize..6, any::<bool>()).prop_map(|(n, alter)| Op::Replay(n, alter)),
    ]
}

/// Checks the ledger against an account of it computed independently, from the transfers alone.
fn assert_balanced(l: &Ledger) {
    l.invariants().unwrap();
    let mut from_transfers: HashMap<AccountId, i64> = HashMap::new();
    for t in &l.transfers {
        *from_transfers.entry(t.from).or_default() -= t.amount;
        *from_transfers.entry(t.to).or_default() += t.amount;
    }
    let mut total = 0;
    for a in &l.accounts {
        let b = l.balance(a.id);
        assert_eq!(
            b,
            from_transfers.get(&a.id).copied().unwrap_or(0),
            "account {}",
            a.id
        );
        let sum: i64 = l
            .movements
            .iter()
            .filter(|m| m.account == a.id)
            .map(|m| m.amount)
            .sum();
        assert_eq!(b, sum);
        if a.kind != AccountKind::Issuer {
            assert!(b >= -a.overdraft_limit.unwrap(), "account {} at {b}", a.id);
        }
        if a.closed {
            assert!(b <= 0, "an anonymised account keeps no credits: {b}");
        }
        total += b;
    }
    assert_eq!(total, 0);
    assert_eq!(l.movements.len(), 2 * l.transfers.len());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_stays_balanced_and_replays_never_move_credits(ops in proptest::collection::vec(op(), 1..80)) {
        let mut l = Ledger::new();
        let issuer = l.open(AccountKind::Issuer, "Council", None);
        let pot = l.open(AccountKind::CommunityPot, "Pot", Some(0));
        let mut participants = vec![l.open(AccountKind::Participant, "P", Some(0))];
        let mut venues = vec![l.open(AccountKind::Venue, "V", Some(0))];
        let mut sent: Vec<TransferRequest> = Vec::new();
        let mut applied = 0usize;
        for (i, o) in ops.iter().enumerate() {
            let key = format!("k{i}");
            let pick = |v: &Vec<AccountId>, n: usize| v[n % v.len()];
            let req = |kind, from, to, amount| TransferRequest { key: key.clone(), kind, from, to, amount, memo: "m".into(), reverses: None };
            let before = (l.transfers.len(), l.movements.clone());
            let result = match o {
                Op::AddParticipant(limit) => { participants.push(l.open(AccountKind::Participant, "P", Some(*limit))); continue }
                Op::AddVenue => { venues.push(l.open(AccountKind::Venue, "V", Some(0))); continue }
                Op::Issue(p, a) => { let r = req(TransferKind::Issue, issuer, pick(&participants, *p), *a); sent.push(r.clone()); l.transfer(&r) }
                Op::Spend(p, v, a) => { let r = req(TransferKind::Spend, pick(&participants, *p), pick(&venues, *v), *a); sent.push(r.clone()); l.transfer(&r) }
                Op::Gift(p, a) => { let r = req(TransferKind::Gift, pick(&participants, *p), pot, *a); sent.push(r.clone()); l.transfer(&r) }
                Op::Grant(p, a) => { let r = req(TransferKind::Grant, pot, pick(&participants, *p), *a); sent.push(r.clone()); l.transfer(&r) }
                Op::Redeem(v, a) => { let r = req(TransferKind::Redeem, pick(&venues, *v), issuer, *a); sent.push(r.clone()); l.transfer(&r) }
                Op::Reverse(n) => {
                    if l.transfers.is_empty() { continue }
                    let id = l.transfers[n % l.transfers.len()].id;
                    l.reverse(id, &key, "undo")
                }
                Op::Anonymise(n) => {
                    let id = pick(&participants, *n);
                    let r = l.anonymise(id, &key);
                    prop_assert!(r.is_ok(), "{r:?}");
                    prop_assert_eq!(l.balance(id).max(0), 0);
                    assert_balanced(&l);
                    applied = l.transfers.len();
                    continue;
                }
                Op::Replay(n, alter) => {
                    let Some(mut r) = sent.len().checked_sub(*n).map(|i| sent[i].clone()) else { continue };
                    if *alter {
                        r.amount += 1;
                    }
                    let had = l.transfers.iter().find(|t| t.key == r.key).cloned();
                    let out = l.transfer(&r);
                    if let Some(t) = had {
                        // A key already used: either the same transfer again (nothing moves) or refused.
                        if r.same_effect(&t) {
                            prop_assert_eq!(out.clone(), Ok(levers_coproduction::ledger::Outcome { transfer: t.id, replayed: true }));
                        } else {
                            prop_assert_eq!(out.clone(), Err(LedgerError::KeyReused(r.key.clone())));
                        }
                        prop_assert_eq!(l.transfers.len(), before.0);
                        prop_assert_eq!(&l.movements, &before.1);
                    }
                    out
                }
            };
            match result {
                Ok(o) if o.replayed => prop_assert_eq!(l.transfers.len(), before.0),
                Ok(_) => { applied += 1; prop_assert_eq!(l.transfers.len(), before.0 + 1) }
                Err(_) => { prop_assert_eq!(l.transfers.len(), before.0); prop_assert_eq!(&l.movements, &before.1) }
            }
            prop_assert_eq!(l.transfers.len(), applied);
            assert_balanced(&l);
        }
        // Replaying every request once more moves nothing at all.
        let snapshot = l.movements.clone();
        for r in &sent {
            let _ = l.transfer(r);
        }
        // A request refused earlier may succeed now, but one that was applied never applies twice.
        let applied_keys: Vec<&String> = l.transfers.iter().map(|t| &t.key).collect();
        let unique: std::collections::HashSet<&&String> = applied_keys.iter().collect();
        prop_assert_eq!(unique.len(), applied_keys.len());
        prop_assert!(l.movements.len() >= snapshot.len());
        prop_assert_eq!(&l.movements[..snapshot.len()], &snapshot[..]);
        assert_balanced(&l);
    }
}

// ---------------------------------------------------------------------------------------------
// The register CSV, as a property test

fn text(max: usize) -> impl Strategy<Value = String> {
    // Any printable text, including quotes, commas, newlines and formula starts; no semicolons in list
    // items (they separate them) and no leading or trailing spaces (the reader trims).
    proptest::string::string_regex(&format!("[A-Za-z0-9 ,\"'=+@£é\\-\\n]{{1,{max}}}"))
        .unwrap()
        .prop_map(|s| s.trim().to_string())
        .prop_filter("not blank", |s| !s.is_empty())
}

fn reference() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[A-Z]{1,3}-[0-9]{1,4}").unwrap()
}

fn a_date() -> impl Strategy<Value = Date> {
    (2015i32..2030, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| {
        Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap()
    })
}

fn involvement() -> impl Strategy<Value = Involvement> {
    (
        0usize..4,
        0usize..7,
        any::<bool>(),
        a_date(),
        proptest::collection::vec(text(20).prop_map(|s| s.replace('\n', " ")), 0..3),
        any::<bool>(),
        0u32..500,
        0u32..5000,
        proptest::option::of(text(60)),
    )
        .prop_map(
            |(s, r, provider, held_on, methods, lived, headcount, hours, words)| Involvement {
                stage: Stage::ALL[s],
                rung: Rung::ALL[r],
                lead: if provider {
                    Lead::Provider
                } else {
                    Lead::Council
                },
                held_on,
                methods: methods
                    .iter()
                    .map(|m| m.trim().to_string())
                    .filter(|m| !m.is_empty())
                    .collect(),
                groups: vec!["People with lived experience of poverty".into()],
                lived_experience: lived,
                headcount,
                hours,
                decisions: words.clone().unwrap_or_default(),
                you_said_we_did: words.unwrap_or_default(),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn register_csv_round_trips(raw in proptest::collection::vec((reference(), text(40), text(20), 0i64..1_000_000_000, a_date(), proptest::collection::vec(involvement(), 0..4)), 0..8)) {
        let mut seen = std::collections::HashSet::new();
        let entries: Vec<RegisterEntry> = raw
            .into_iter()
            .filter(|(r, ..)| seen.insert(r.clone()))
            .map(|(reference, service, directorate, pence, started_on, involvements)| RegisterEntry {
                activity: Activity {
                    reference,
                    service,
                    directorate,
                    annual_value: Money::from_pence(pence),
                    current_stage: Stage::Plan,
                    procurement_ref: None,
                    objectives: vec![],
                    started_on,
                },
                involvements,
            })
            .collect();
        let csv = write_register(&entries);
        let back = read_register("round.csv", csv.as_bytes()).unwrap();
        prop_assert!(back.errors.is_empty(), "{:?}", back.errors);
        prop_assert!(back.reconciliation.reconciles());
        prop_assert_eq!(back.entries, entries);
    }
}

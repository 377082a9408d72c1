//! The demo borough's co-production: a register of 40 synthetic commissioning activities across six
//! directorates with the patchy coverage the article describes (consultation common, co-production
//! rare and mostly inside providers' contracts), principles self-assessments, and a year of
//! time-credit activity by made-up participants at made-up venues. Written as a register CSV and
//! imported through the same reader as a council's file; refreshing the demo adds nothing twice.

mod register;

use levers_coproduction::csv_io::read_register;
use levers_coproduction::ledger::{AccountKind, TransferKind, TransferRequest};
use levers_coproduction::people::RewardForm;
use levers_coproduction::principles::{Assessment, statements};
use levers_store::coproduction::{ISSUER_ACCOUNT, POT_ACCOUNT, ParticipantDetails};
use levers_store::{Actor, Store};

use crate::demo::Rng;

use register::date;
pub use register::register_csv;

const PEOPLE: &[(&str, RewardForm)] = &[
    ("Ade", RewardForm::TimeCredits),
    ("Bea", RewardForm::TimeCredits),
    ("Cal", RewardForm::TimeCredits),
    ("Dee", RewardForm::Expenses),
    ("Eli", RewardForm::TimeCredits),
    ("Fay", RewardForm::TimeCredits),
    ("Gus", RewardForm::Payment),
    ("Hal", RewardForm::TimeCredits),
    ("Ivy", RewardForm::TimeCredits),
    ("Jo", RewardForm::Voucher),
    ("Kit", RewardForm::TimeCredits),
    ("Lou", RewardForm::TimeCredits),
    ("Mo", RewardForm::TimeCredits),
    ("Nat", RewardForm::Expenses),
    ("Oz", RewardForm::TimeCredits),
    ("Pip", RewardForm::TimeCredits),
    ("Quin", RewardForm::Payment),
    ("Ros", RewardForm::TimeCredits),
    ("Sol", RewardForm::TimeCredits),
    ("Tam", RewardForm::TimeCredits),
    ("Uma", RewardForm::TimeCredits),
    ("Vic", RewardForm::None),
    ("Wren", RewardForm::TimeCredits),
    ("Yas", RewardForm::TimeCredits),
];

const VENUES: &[&str] = &[
    "Levermouth Leisure Centre",
    "Harbour Community Café",
    "Old Town Picture House",
    "Quayside Swimming Pool",
];

/// Builds the demo's co-production, or leaves it as it is when it is already there.
pub async fn build(store: &Store, actor: &Actor) -> anyhow::Result<()> {
    let text = register_csv();
    let file = read_register("levermouth-register.csv", text.as_bytes())
        .map_err(|e| anyhow::anyhow!("demo register: {e}"))?;
    if !file.errors.is_empty() {
        anyhow::bail!("demo register: {:?}", file.errors[0]);
    }
    store
        .import_coproduction_register(
            actor,
            "levermouth-register.csv",
            &file.entries,
            serde_json::to_value(file.reconciliation)?,
        )
        .await?;
    if store.coproduction_assessments().await?.is_empty() {
        let mut rng = Rng::new(0xA55E55);
        for (d, base) in [
            ("Adults' Social Care", 1i64),
            ("Children's Services", 1),
            ("Housing", 0),
            ("Public Health", 0),
        ] {
            for (year, lift) in [(2025, 0i64), (2026, 1)] {
                let scores = statements()
                    .map(|s| {
                        (
                            s.key.to_string(),
                            (base + lift + rng.range(0, 1)).clamp(0, 3) as u8,
                        )
                    })
                    .collect();
                let a = Assessment {
                    directorate: d.into(),
                    assessed_on: date(year, 6, 30),
                    scores,
                    notes: "Synthetic demo self-assessment.".into(),
                };
                store.add_coproduction_assessment(actor, &a).await?;
            }
        }
    }
    if !store.participants().await?.is_empty() {
        return Ok(());
    }
    let mut rng = Rng::new(0x7143_C4ED);
    let mut people = Vec::new();
    for (i, (name, reward)) in PEOPLE.iter().enumerate() {
        let d = ParticipantDetails {
            display_name: (*name).into(),
            contact: (i % 3 == 0).then(|| format!("{}@example.org", name.to_lowercase())),
            contact_consent: i % 3 == 0,
            reward_form: *reward,
            benefits_advice_offered: *reward == RewardForm::Payment && i % 2 == 0,
        };
        let p = store.create_participant(actor, &d).await?;
        let dims = levers_coproduction::people::DIMENSIONS;
        let answers: Vec<(&str, Option<String>)> = dims
            .iter()
            .map(|dim| {
                // Most people answer; answers lean to the first options so some totals reach ten.
                let n = dim.answers.len() as i64;
                let pick = if rng.unit() < 0.6 {
                    rng.range(0, 1.min(n - 1))
                } else {
                    rng.range(0, n - 1)
                };
                (
                    dim.key,
                    (rng.unit() < 0.9).then(|| dim.answers[pick as usize].0.to_string()),
                )
            })
            .collect();
        store
            .set_participant_equality(actor, p.id, &answers)
            .await?;
        people.push(p);
    }
    let mut venues = Vec::new();
    for v in VENUES {
        venues.push(
            store
                .create_credit_account(actor, AccountKind::Venue, v)
                .await?,
        );
    }
    let involvements: Vec<i64> = store
        .coproduction_activities()
        .await?
        .iter()
        .flat_map(|a| {
            a.involvements
                .iter()
                .filter(|i| i.involvement.rung.is_coproduction())
                .map(|i| i.id)
                .collect::<Vec<_>>()
        })
        .collect();
    let earners: Vec<_> = people
        .iter()
        .filter(|p| p.reward_form == RewardForm::TimeCredits)
        .cloned()
        .collect();
    let now = levers_store::now_unix();
    let start = now - 365 * 86_400;
    let mut n = 0u32;
    let mut key = |what: &str| {
        n += 1;
        format!("demo-{what}-{n}")
    };
    for week in 0..52i64 {
        let at = start + week * 7 * 86_400;
        for _ in 0..rng.range(2, 5) {
            let p = &earners[rng.range(0, earners.len() as i64 - 1) as usize];
            let inv = (!involvements.is_empty())
                .then(|| involvements[rng.range(0, involvements.len() as i64 - 1) as usize]);
            let minutes = [60, 90, 120, 150, 180][rng.range(0, 4) as usize];
            store
                .record_participation_at(
                    actor,
                    p.id,
                    inv,
                    minutes,
                    &key("issue"),
                    "Co-production session",
                    at + 3_600,
                )
                .await?;
        }
        for _ in 0..rng.range(1, 3) {
            let p = &earners[rng.range(0, earners.len() as i64 - 1) as usize];
            let v = venues[rng.range(0, venues.len() as i64 - 1) as usize];
            let amount = rng.range(1, 3);
            let req = TransferRequest {
                key: key("spend"),
                kind: TransferKind::Spend,
                from: p.account_id,
                to: v,
                amount,
                memo: String::new(),
                reverses: None,
            };
            // Someone without enough credits is refused, as at a real venue's till.
            let _ = store.credit_transfer_at(actor, &req, at + 7_200).await;
        }
        if rng.unit() < 0.3 {
            let p = &earners[rng.range(0, earners.len() as i64 - 1) as usize];
            let req = TransferRequest {
                key: key("gift"),
                kind: TransferKind::Gift,
                from: p.account_id,
                to: POT_ACCOUNT,
                amount: 1,
                memo: "Gift to the community pot".into(),
                reverses: None,
            };
            let _ = store.credit_transfer_at(actor, &req, at + 10_800).await;
        }
        if week % 8 == 7 {
            let p = &earners[rng.range(0, earners.len() as i64 - 1) as usize];
            let req = TransferRequest {
                key: key("grant"),
                kind: TransferKind::Grant,
                from: POT_ACCOUNT,
                to: p.account_id,
                amount: 2,
                memo: "Community pot grant".into(),
                reverses: None,
            };
            let _ = store.credit_transfer_at(actor, &req, at + 14_400).await;
        }
        if week % 13 == 12 {
            let v = venues[rng.range(0, venues.len() as i64 - 1) as usize];
            let req = TransferRequest {
                key: key("redeem"),
                kind: TransferKind::Redeem,
                from: v,
                to: ISSUER_ACCOUNT,
                amount: 2,
                memo: "Quarterly hand-back".into(),
                reverses: None,
            };
            let _ = store.credit_transfer_at(actor, &req, at + 18_000).await;
        }
    }
    // Two corrections, as reversals.
    for t in store
        .credit_transfers(200)
        .await?
        .iter()
        .filter(|t| t.transfer.kind == TransferKind::Spend)
        .take(2)
    {
        store
            .reverse_credit_transfer(
                actor,
                t.transfer.id,
                &format!("demo-reverse-{}", t.transfer.id),
                "Recorded at the wrong venue",
            )
            .await?;
    }
    let snap = store.credit_ledger_snapshot().await?;
    snap.check()
        .map_err(|e| anyhow::anyhow!("demo ledger: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_register_reads_cleanly_and_coverage_is_realistically_poor() {
        let f = read_register("demo.csv", register_csv().as_bytes()).unwrap();
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert!(f.reconciliation.reconciles());
        assert_eq!(f.entries.len(), 40);
        let c = levers_coproduction::coverage(&f.entries, None);
        let o = c.overall;
        assert_eq!((o.two_plus, o.all_four, o.provider_only), (7, 2, 7));
        assert!(
            o.two_plus_value_share() < 0.2,
            "{}",
            o.two_plus_value_share()
        );
        assert!(
            o.provider_only_value_share() > o.two_plus_value_share(),
            "more value co-produced only in contracts than across stages"
        );
        assert_eq!(c.by_directorate.len(), 6);
    }
}

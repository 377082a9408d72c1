//! The time-credit ledger: double entry, append only.
//!
//! Every transfer is two movements that sum to zero (the payer's `-amount`, the payee's `+amount`);
//! a balance is the sum of an account's movements and is never stored. The council's **issuer**
//! account is where credits come from (its balance is minus everything in circulation); credits are
//! issued to **participants** for recorded participation, spent at partner **venues**, gifted to the
//! **community pot** (which grants them on), and venues may redeem them back to the issuer.
//!
//! Rules ([`check_transfer`]) are here so that the store applies exactly what [`Ledger`], the in-memory
//! model the property tests exercise, applies:
//! - amounts are whole credits, 1 to [`MAX_TRANSFER`];
//! - each kind of transfer joins particular kinds of account ([`allowed`]);
//! - no account but the issuer may go below minus its overdraft limit (0 unless set);
//! - closed (anonymised) accounts take part in nothing more;
//! - every transfer carries an idempotency key: a replay with the same effect returns the original
//!   and moves nothing; the same key with a different effect is refused;
//! - mistakes are put right by a reversal, a new transfer the other way, at most once per transfer;
//! - anonymising a participant sweeps any positive balance to the community pot and closes the
//!   account, so the ledger stays balanced and no credits are stranded.
//!
//! `rules` holds the kinds and checks the store applies, `model` the in-memory ledger, the
//! invariants and statements.

mod model;
mod rules;

pub use model::*;
pub use rules::*;

#[cfg(test)]
mod tests {
    use super::*;

    fn req(
        key: &str,
        kind: TransferKind,
        from: AccountId,
        to: AccountId,
        amount: i64,
    ) -> TransferRequest {
        TransferRequest {
            key: key.into(),
            kind,
            from,
            to,
            amount,
            memo: "m".into(),
            reverses: None,
        }
    }

    fn setup() -> (Ledger, AccountId, AccountId, AccountId, AccountId) {
        let mut l = Ledger::new();
        let issuer = l.open(AccountKind::Issuer, "Council", None);
        let pot = l.open(AccountKind::CommunityPot, "Pot", Some(0));
        let venue = l.open(AccountKind::Venue, "Leisure centre", Some(0));
        let p = l.open(AccountKind::Participant, "Sam", Some(0));
        (l, issuer, pot, venue, p)
    }

    #[test]
    fn issue_spend_gift_and_balances() {
        let (mut l, issuer, pot, venue, p) = setup();
        assert_eq!(
            l.transfer(&req("a", TransferKind::Issue, issuer, p, 5))
                .unwrap(),
            Outcome {
                transfer: 1,
                replayed: false
            }
        );
        l.transfer(&req("b", TransferKind::Spend, p, venue, 2))
            .unwrap();
        l.transfer(&req("c", TransferKind::Gift, p, pot, 1))
            .unwrap();
        assert_eq!(
            (
                l.balance(issuer),
                l.balance(p),
                l.balance(venue),
                l.balance(pot)
            ),
            (-5, 2, 2, 1)
        );
        l.invariants().unwrap();
        let st = statement(p, &l.transfers);
        assert_eq!(
            st.iter().map(|s| (s.amount, s.balance)).collect::<Vec<_>>(),
            vec![(5, 5), (-2, 3), (-1, 2)]
        );
    }

    #[test]
    fn rules_refuse_what_they_should() {
        let (mut l, issuer, pot, venue, p) = setup();
        assert_eq!(
            l.transfer(&req("x", TransferKind::Spend, p, venue, 1)),
            Err(LedgerError::Overdraft {
                account: p,
                balance: 0,
                amount: 1,
                limit: 0
            })
        );
        assert!(matches!(
            l.transfer(&req("x", TransferKind::Issue, issuer, venue, 1)),
            Err(LedgerError::WrongKinds { .. })
        ));
        assert!(matches!(
            l.transfer(&req("x", TransferKind::Spend, venue, p, 1)),
            Err(LedgerError::WrongKinds { .. })
        ));
        assert_eq!(
            l.transfer(&req("x", TransferKind::Issue, issuer, p, 0)),
            Err(LedgerError::NotPositive)
        );
        assert_eq!(
            l.transfer(&req("x", TransferKind::Issue, issuer, p, MAX_TRANSFER + 1)),
            Err(LedgerError::TooLarge)
        );
        assert_eq!(
            l.transfer(&req("x", TransferKind::Gift, p, p, 1)),
            Err(LedgerError::SameAccount)
        );
        assert_eq!(
            l.transfer(&req(" ", TransferKind::Issue, issuer, p, 1)),
            Err(LedgerError::BadKey)
        );
        assert_eq!(
            l.transfer(&req("x", TransferKind::Issue, issuer, 99, 1)),
            Err(LedgerError::NoAccount(99))
        );
        let _ = pot;
        assert!(l.transfers.is_empty() && l.movements.is_empty());
        // An overdraft limit lets a participant go that far below zero and no further.
        let q = l.open(AccountKind::Participant, "Ali", Some(3));
        l.transfer(&req("y", TransferKind::Spend, q, venue, 3))
            .unwrap();
        assert!(matches!(
            l.transfer(&req("z", TransferKind::Spend, q, venue, 1)),
            Err(LedgerError::Overdraft { .. })
        ));
        l.invariants().unwrap();
    }

    #[test]
    fn keys_replay_and_refuse_reuse() {
        let (mut l, issuer, _pot, _venue, p) = setup();
        let r = req("k", TransferKind::Issue, issuer, p, 3);
        assert!(!l.transfer(&r).unwrap().replayed);
        assert!(l.transfer(&r).unwrap().replayed);
        assert_eq!(l.balance(p), 3);
        let other = req("k", TransferKind::Issue, issuer, p, 4);
        assert_eq!(l.transfer(&other), Err(LedgerError::KeyReused("k".into())));
        assert_eq!(l.transfers.len(), 1);
    }

    #[test]
    fn reversals_are_new_transfers_once_only() {
        let (mut l, issuer, _pot, venue, p) = setup();
        l.transfer(&req("a", TransferKind::Issue, issuer, p, 4))
            .unwrap();
        l.transfer(&req("b", TransferKind::Spend, p, venue, 3))
            .unwrap();
        let r = l.reverse(2, "rev-b", "wrong venue").unwrap();
        assert_eq!((l.balance(p), l.balance(venue)), (4, 0));
        assert_eq!(
            l.transfers[r.transfer as usize - 1].kind,
            TransferKind::Reversal
        );
        assert_eq!(
            l.reverse(2, "rev-b2", ""),
            Err(LedgerError::AlreadyReversed(2, 3))
        );
        assert!(l.reverse(2, "rev-b", "wrong venue").unwrap().replayed);
        assert_eq!(
            l.reverse(3, "rev-rev", ""),
            Err(LedgerError::NotReversible(3))
        );
        // Reversing the issue would overdraw the participant once they have spent.
        l.transfer(&req("c", TransferKind::Spend, p, venue, 4))
            .unwrap();
        assert!(matches!(
            l.reverse(1, "rev-a", ""),
            Err(LedgerError::Overdraft { .. })
        ));
        assert_eq!(l.transfers.len(), 4);
        l.invariants().unwrap();
    }

    #[test]
    fn anonymisation_sweeps_to_the_pot_and_closes() {
        let (mut l, issuer, pot, venue, p) = setup();
        l.transfer(&req("a", TransferKind::Issue, issuer, p, 6))
            .unwrap();
        let sweep = l.anonymise(p, "anon-4").unwrap().unwrap();
        assert_eq!((l.balance(p), l.balance(pot)), (0, 6));
        assert_eq!(l.transfers[sweep as usize - 1].kind, TransferKind::Sweep);
        assert!(
            l.transfers
                .iter()
                .all(|t| t.memo.is_empty() || (t.from != p && t.to != p))
        );
        assert_eq!(
            l.transfer(&req("b", TransferKind::Issue, issuer, p, 1)),
            Err(LedgerError::Closed(p))
        );
        assert_eq!(l.reverse(1, "r", ""), Err(LedgerError::Closed(p)));
        assert_eq!(l.anonymise(p, "again").unwrap(), None);
        assert_eq!(l.anonymise(venue, "v"), Err(LedgerError::NotParticipant));
        l.invariants().unwrap();
    }

    #[test]
    fn credits_round_half_up() {
        assert_eq!(credits_for(60, 1), 1);
        assert_eq!(credits_for(90, 1), 2);
        assert_eq!(credits_for(89, 1), 1);
        assert_eq!(credits_for(29, 1), 0);
        assert_eq!(credits_for(150, 2), 5);
        assert_eq!(credits_for(0, 1), 0);
    }
}

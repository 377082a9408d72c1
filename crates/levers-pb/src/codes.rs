//! Single-use voting codes and ballot receipts: their format, check character, normalisation of what
//! people type, and the hashes the store keeps instead of the codes.
//!
//! A code is 16 characters shown as four groups of four (`7KQ2-M9XD-3TRB-WC4H`): 15 random symbols
//! from a 31-symbol alphabet with no easily confused pairs (no I, L, O, U or Z; `O` typed for `0` and
//! `I`/`L` typed for `1` are corrected), then one check symbol. Entropy: 15 × log2(31) ≈ 74.3 bits,
//! so with a million live codes an attacker guessing a thousand codes a second (far beyond the
//! rate limit) would need about 10^10 years on average to hit one. The check symbol makes every
//! single mistyped character and every swap of two neighbouring characters an "invalid code"
//! message before any database lookup: weights 1..16 are all non-zero modulo the prime 31.
//!
//! A receipt is 12 characters in three groups (`X4K9-QMT2-B7WC`): 11 random symbols and a check
//! symbol, about 54 bits. It is drawn independently of the code, so neither can be derived from the
//! other, and it is stored only as a hash beside the ballot.

use sha2::{Digest, Sha256};

/// The 31 symbols: digits, and capitals without I, L, O, U and Z.
pub const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKMNPQRSTVWXY";
/// Random symbols in a code.
pub const CODE_RANDOM: usize = 15;
/// Random symbols in a receipt.
pub const RECEIPT_RANDOM: usize = 11;

/// Bits of entropy in a code.
pub fn code_entropy_bits() -> f64 {
    CODE_RANDOM as f64 * 31f64.log2()
}

/// Why typed text is not a valid code or receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    Empty,
    WrongLength { found: usize, expected: usize },
    BadCharacter(char),
    CheckFailed,
}

impl std::fmt::Display for CodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodeError::Empty => write!(f, "Enter the code from your letter or card"),
            CodeError::WrongLength { found, expected } => {
                write!(
                    f,
                    "The code has {expected} letters and numbers; you entered {found}. Check it and try again"
                )
            }
            CodeError::BadCharacter(c) => {
                write!(f, "The code cannot contain \"{c}\". Check it and try again")
            }
            CodeError::CheckFailed => write!(
                f,
                "That code is not valid: one of the characters is probably mistyped. Check it and try again"
            ),
        }
    }
}

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// The check symbol for `body`: makes Σ (i+1)·v_i ≡ 0 (mod 31) over body and check together.
fn check_symbol(body: &[u8]) -> u8 {
    let n = body.len() as u32 + 1;
    let sum: u32 = body
        .iter()
        .enumerate()
        .map(|(i, &c)| (i as u32 + 1) * value(c).unwrap_or(0))
        .sum::<u32>()
        % 31;
    // need sum + n·x ≡ 0 (mod 31); n⁻¹ exists because 31 is prime and n < 31
    let inv = (1..31).find(|k| (k * n) % 31 == 1).unwrap_or(1);
    let x = ((31 - sum) % 31 * inv) % 31;
    ALPHABET[x as usize]
}

fn symbols(mut r: u128, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n + 1);
    for _ in 0..n {
        out.push(ALPHABET[(r % 31) as usize]);
        r /= 31;
    }
    let c = check_symbol(&out);
    out.push(c);
    out
}

/// A code from 128 random bits (from the operating system's generator): 15 base-31 digits of it
/// (31^15 < 2^75, so the bias from the reduction is below 2^-53) and the check symbol, compact.
pub fn code_from_random(r: u128) -> String {
    String::from_utf8(symbols(r, CODE_RANDOM)).unwrap_or_default()
}

/// A receipt from 128 random bits, compact (12 symbols).
pub fn receipt_from_random(r: u128) -> String {
    String::from_utf8(symbols(r, RECEIPT_RANDOM)).unwrap_or_default()
}

/// Groups of four with hyphens, for printing and showing.
pub fn display(compact: &str) -> String {
    compact
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

fn normalise(typed: &str, len: usize) -> Result<String, CodeError> {
    let mut out = String::with_capacity(len);
    for ch in typed.chars() {
        if ch.is_whitespace() || ch == '-' || ch == '–' || ch == '.' {
            continue;
        }
        let up = ch.to_ascii_uppercase();
        let fixed = match up {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !fixed.is_ascii() || value(fixed as u8).is_none() {
            return Err(CodeError::BadCharacter(ch));
        }
        out.push(fixed);
        if out.len() > 64 {
            break;
        }
    }
    if out.is_empty() {
        return Err(CodeError::Empty);
    }
    if out.len() != len {
        return Err(CodeError::WrongLength {
            found: out.len(),
            expected: len,
        });
    }
    let b = out.as_bytes();
    if check_symbol(&b[..len - 1]) != b[len - 1] {
        return Err(CodeError::CheckFailed);
    }
    Ok(out)
}

/// What a person typed, as the compact code: spaces and hyphens dropped, lower case raised, `O`→`0`,
/// `I`/`L`→`1`; then length and check symbol verified.
pub fn normalise_code(typed: &str) -> Result<String, CodeError> {
    normalise(typed, CODE_RANDOM + 1)
}

/// A typed receipt, compact.
pub fn normalise_receipt(typed: &str) -> Result<String, CodeError> {
    normalise(typed, RECEIPT_RANDOM + 1)
}

/// What the store keeps for a code: SHA-256 over a domain tag, the process id and the compact code.
/// A code has 74 bits of entropy, so the hash cannot be reversed by search; and the same code in
/// another process hashes differently.
pub fn code_hash(process_id: i64, compact: &str) -> String {
    levers_core::hex::encode(&Sha256::digest(
        format!("levers-pb-code\0{process_id}\0{compact}").as_bytes(),
    ))
}

/// What the store keeps for a receipt (beside the ballot, never beside the code).
pub fn receipt_hash(process_id: i64, compact: &str) -> String {
    levers_core::hex::encode(&Sha256::digest(
        format!("levers-pb-receipt\0{process_id}\0{compact}").as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_have_the_documented_shape_and_entropy() {
        let c = code_from_random(0x1234_5678_9abc_def0_1122_3344_5566_7788);
        assert_eq!(c.len(), 16);
        assert_eq!(display(&c).len(), 19);
        assert_eq!(normalise_code(&display(&c).to_lowercase()).unwrap(), c);
        assert!((code_entropy_bits() - 74.31).abs() < 0.01);
        assert_eq!(receipt_from_random(7).len(), 12);
        assert!(!ALPHABET.iter().any(|c| b"ILOUZ".contains(c)));
    }

    #[test]
    fn typing_slips_are_corrected_or_named() {
        let c = code_from_random(u128::MAX / 3);
        let typed = display(&c).replace('0', "o").replace('1', "l");
        assert_eq!(normalise_code(&typed).unwrap(), c);
        assert_eq!(normalise_code(""), Err(CodeError::Empty));
        assert_eq!(
            normalise_code("ABCD"),
            Err(CodeError::WrongLength {
                found: 4,
                expected: 16
            })
        );
        assert_eq!(
            normalise_code("ABCD-EFGH-JKMN-PQR!"),
            Err(CodeError::BadCharacter('!'))
        );
        assert_eq!(
            normalise_code("ABCD-EFGH-JKMN-PQRU"),
            Err(CodeError::BadCharacter('U'))
        );
        assert_ne!(code_hash(1, &c), code_hash(2, &c));
        assert_ne!(code_hash(1, &c), receipt_hash(1, &c));
    }

    proptest! {
        #[test]
        fn every_single_substitution_and_adjacent_swap_is_caught(r in any::<u128>(), pos in 0usize..16, sym in 0usize..31) {
            let c = code_from_random(r);
            prop_assert!(normalise_code(&c).is_ok());
            let mut b = c.clone().into_bytes();
            if b[pos] != ALPHABET[sym] {
                b[pos] = ALPHABET[sym];
                prop_assert_eq!(normalise_code(std::str::from_utf8(&b).unwrap()), Err(CodeError::CheckFailed));
            }
            let mut s = c.into_bytes();
            let i = pos.min(14);
            if s[i] != s[i + 1] {
                s.swap(i, i + 1);
                prop_assert_eq!(normalise_code(std::str::from_utf8(&s).unwrap()), Err(CodeError::CheckFailed));
            }
        }

        #[test]
        fn receipts_round_trip(r in any::<u128>()) {
            let x = receipt_from_random(r);
            prop_assert_eq!(normalise_receipt(&display(&x)).unwrap(), x);
        }
    }
}

//! Credentials: argon2id password hashes, password rules, one-time passwords, and random tokens
//! stored only as their SHA-256. Shared by the web sign-in, the admin pages and the CLI's accounts.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// Shortest password accepted (NCSC advice favours length over complexity rules).
pub const MIN_PASSWORD_LEN: usize = 10;

/// A new argon2id hash (PHC string) of a password, with a random salt.
pub fn hash_password(password: &str) -> Result<String, CredentialError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CredentialError(format!("cannot hash the password: {e}")))
}

/// Whether `password` matches a stored argon2 hash. Malformed hashes never match.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Spends the same time as a real verification, so unknown accounts cannot be told apart by timing.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("levers-dummy-password").unwrap_or_default());
    let _ = verify_password(password, hash);
}

/// Why a new password is not acceptable, if it is not.
pub fn password_problem(password: &str, email: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        Some(format!(
            "Password must be {MIN_PASSWORD_LEN} characters or more"
        ))
    } else if password.len() > 256 {
        Some("Password must be 256 characters or fewer".into())
    } else if password.trim().eq_ignore_ascii_case(email.trim()) {
        Some("Password must not be your email address".into())
    } else {
        None
    }
}

/// A random secret: 32 bytes as 64 hex characters.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    levers_core::hex::encode(&bytes)
}

/// A password for one-time use, easy to read aloud: four groups of five from an unambiguous alphabet.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// SHA-256 of a token, hex: what the database stores instead of the token.
pub fn token_hash(token: &str) -> String {
    levers_core::hex::encode(&Sha256::digest(token.as_bytes()))
}

/// A password could not be hashed (the system's random source failed).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CredentialError(pub String);

/// SHA-256 of any bytes, hex: how "the same file" is recognised.
pub fn sha256_hex(bytes: &[u8]) -> String {
    levers_core::hex::encode(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn password_rules_are_named() {
        assert!(password_problem("short", "a@b.c").is_some());
        assert!(password_problem("me@council.gov.uk", "me@council.gov.uk").is_some());
        assert!(password_problem("long enough passphrase", "a@b.c").is_none());
    }

    #[test]
    fn one_time_passwords_read_aloud() {
        let p = one_time_password();
        assert_eq!(p.len(), 23);
        assert_eq!(p.split('-').count(), 4);
        assert_ne!(p, one_time_password());
    }

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("Correct horse battery", &h));
        assert!(!verify_password("x", "not a hash"));
    }
    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let otp = one_time_password();
        assert_eq!(otp.len(), 23);
        assert!(password_problem(&otp, "a@b").is_none());
    }
}

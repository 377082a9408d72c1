//! Integration tests for levers-pb: shared Pabulib files (verify, pabutools expectations,
//! round trip), property tests, the invalid-file negative test and the add1 jump walk against the
//! step-by-step walk.

mod pb {
    pub mod data;
    pub mod expected;
    pub mod props;
    pub mod walk;
}

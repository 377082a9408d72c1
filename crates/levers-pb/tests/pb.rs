//! Integration tests for levers-pb: shared Pabulib files (verify, pabutools expectations,
//! round trip), property tests and the invalid-file negative test.

mod pb {
    pub mod data;
    pub mod expected;
    pub mod props;
}

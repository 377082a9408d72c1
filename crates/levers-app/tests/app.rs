//! levers-app's integration tests: use cases against a scratch store (SQLite).

mod app {
    pub mod indicators;
    pub mod spend_schema;
    pub mod strategy_measures;
    pub mod suppliers_cache;
}

//! levers-app: the use cases every front end shares (the web app, the CLI and the demo), written
//! once with no HTTP and no HTML: importing spending files, loading and caching payment years and
//! running the procurement analysis, the geography index, making and cancelling voting codes and
//! counting a vote, co-production coverage as JSON, appraisals against the library, the strategy's
//! measures and status, credentials, and the background job runner the web app's imports run on.
//! Errors are this crate's
//! own or the store's, never the web's.

pub mod appraisal;
pub mod community_budget;
pub mod contracts;
pub mod coverage;
pub mod credentials;
pub mod geo;
pub mod geo_import;
pub mod indicators;
pub mod jobs;
pub mod place;
pub mod procurement;
pub mod register_import;
pub mod spend_import;
pub mod strategy;

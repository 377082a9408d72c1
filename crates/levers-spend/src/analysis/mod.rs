//! The community wealth building spend analysis (CLES "Preston model", BRIEF §4.2), pure: a year of
//! payments for one body or several, each body's supplier records, the geography index, exclusion
//! rules, and two areas (local and wider, each a named set of districts) in; the report out.
//!
//! The steps:
//! 1. Resolve every distinct supplier as payments name it (supplier ID, registered number, officer's
//!    decision, exact normalised name, fuzzy) into *units*: a linked supplier record, an unlinked name,
//!    or a body's redacted payments.
//! 2. Exclude payments by the first matching rule (each excluded pound is attributed to one rule).
//! 3. Net the rest per unit; units whose credits outweigh their payments are set aside (reported as
//!    `net_credit_pence`), so total = excluded + net credit + analysed and every share lies in [0, 1].
//! 4. Locate each unit: its sites in order (council postcode, branch postcodes, then — only when the
//!    council's record has no postcode — the Companies House registered office or the Charity
//!    Commission contact postcode). A unit is *local* if any site is in a local district and *in the
//!    wider area* if any site is in the wider area (which includes the local one). Its ward and
//!    deprivation decile come from its first local site, else first wider-area site, else first
//!    located site.
//! 5. Metrics for all analysed units and for each body's top N by annual value: local, wider and
//!    leakage pounds and shares; deprived shares (IMD decile 1, deciles 1–2); SME, large, unknown
//!    size, VCSE, public, individual/redacted and unknown-location shares; by sector, by ward, by
//!    spend band; location sources; opportunities (sectors with most of their spend leaking while
//!    local suppliers of that sector exist, named). With several bodies, each body's shares and the
//!    mean of the bodies' shares beside the spend-weighted shares.

use std::collections::{HashMap, HashSet};

use levers_core::{AreaCode, AreaKind};
use levers_geo::{GeoIndex, Postcode};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::classify::{
    Classification, ExclusionRule, PaymentFacts, RuleSet, SizeClass, public_by_name, vcse_by_name,
};
use crate::resolve::{Candidate, Decision, MatchConfig, MatchMethod, Matcher, normalise_name};

use crate::FastMap;

mod ctx;
mod model;
mod payments;
mod run;
mod summaries;
mod units;
mod views;

pub use ctx::largest;
use ctx::*;
pub use model::*;
pub use payments::*;
pub use run::*;
use summaries::*;
pub use units::*;

//! The appraisal arithmetic: resolve every value against the unit cost library and uprate it to the
//! price base, then count net outcomes, spread benefits over the years, discount, and report budget
//! impact, returns on investment, public value, payback, who pays and who benefits, and sensitivity.
//!
//! Definitions (New Economy / GMCA method, HM Treasury 2014 guidance for local partnerships):
//! - net outcomes = gross × (1 − deadweight) × attribution × (1 − displacement) × (1 − leakage)
//!   × (1 − optimism-bias correction), with gross = cohort × engagement × success, or a count;
//! - an outcome achieved in year y yields benefits in years y + lag … y + lag + duration − 1, the k-th
//!   of them weighted (1 − drop-off)^k (a value marked `once` only in the first);
//! - costs are uplifted by their optimism bias; everything is discounted with the Green Book schedule;
//! - net present budget impact = PV fiscal benefits − PV costs; financial ROI = PV fiscal ÷ PV costs;
//!   cashable ROI = PV cashable fiscal ÷ PV costs;
//! - public value = PV fiscal benefits excluding transfers + PV economic + PV social;
//!   public-value ROI = public value ÷ PV costs; net public value = public value − PV costs;
//! - payback year = the first year in which cumulative discounted fiscal benefits reach cumulative
//!   discounted costs;
//! - an agency is in the "wrong pocket" when it bears costs, its fiscal benefits are less than its
//!   costs, and the intervention as a whole creates net public value.
//!
//! `resolve` makes values concrete, `figures` holds what is reported, `scenario` computes one
//! scenario and `sensitivity` all of them.

mod figures;
mod resolve;
mod scenario;
mod sensitivity;

pub use figures::{
    AgencyFigures, Bound, Figures, OutcomeFigures, Results, Scenario, SensitivityRow, YearFigures,
};
pub use resolve::{Evidence, Resolved, pounds, resolve};
pub use scenario::compute;
pub use sensitivity::{SENSITIVITY, results};

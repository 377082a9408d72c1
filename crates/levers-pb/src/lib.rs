//! levers-pb: participatory budgeting for councils — a Pabulib reader/writer/checker and PB rules
//! (city greedy variants, pabutools' greedy utilitarian welfare, the Method of Equal Shares with
//! its completions, sequential Phragmén, maximum welfare) with explanations; and the domain of a council's
//! community budget process (`process`, `ballot`, `codes`, `count`). Pure: no IO.

pub mod ballot;
pub mod codes;
pub mod compare;
pub mod count;
pub mod csv;
pub mod generated;
pub mod model;
pub mod num;
pub mod process;
pub mod profile;
pub mod reader;
pub mod rules;
pub mod verify;
pub mod writer;

pub use model::{Election, Project, VoteType, Voter, WITHDRAWN_SENTINEL_COST};
pub use reader::{CheckReport, Diagnostic, Level, Mode, ParseError, check, read};
pub use rules::{
    Completion, Outcome, Prepared, RuleKind, RuleSpec, Sat, Semantics, Tie, run, run_prepared,
};
pub use verify::{Verification, verify};
pub use writer::write;

//! The reader's findings and errors: severity, diagnostics with line numbers, parse errors, modes.

use crate::model::Election;
use serde::Serialize;
use std::fmt;

/// Severity of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// One finding about a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub level: Level,
    /// 1-based line, 0 when the finding is about the file as a whole.
    pub line: usize,
    /// Stable short code, e.g. `num-votes-mismatch`.
    pub code: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lvl = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        if self.line > 0 {
            write!(
                f,
                "line {}: {}: {} [{}]",
                self.line, lvl, self.message, self.code
            )
        } else {
            write!(f, "{}: {} [{}]", lvl, self.message, self.code)
        }
    }
}

/// A file that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "{}", self.message)
        }
    }
}

impl std::error::Error for ParseError {}

/// Reading mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Accept what pabutools accepts; fatal problems only.
    Lenient,
    /// Also run every Pabulib-checker rule and report errors and warnings.
    Strict,
}

/// Result of checking a file.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Whether the file has no errors (warnings allowed).
    pub valid: bool,
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<Diagnostic>,
    #[serde(skip)]
    pub election: Option<Election>,
}

pub(super) fn err(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

pub(super) fn push(
    d: &mut Vec<Diagnostic>,
    level: Level,
    line: usize,
    code: &str,
    message: impl Into<String>,
) {
    d.push(Diagnostic {
        level,
        line,
        code: code.into(),
        message: message.into(),
    });
}

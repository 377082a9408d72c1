//! Pabulib reader in two modes: lenient (what pabutools 1.2.3 accepts) and strict (what the Pabulib
//! checker enforces), with errors and warnings that carry line numbers.

use crate::csv::records;
use crate::model::{Election, Project, VoteType, Voter, WITHDRAWN_SENTINEL_COST, is_none_cell};
use crate::num::{Q, floor_q, fmt_q, parse_q, q_int};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
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

/// Reads a Pabulib file leniently (pabutools semantics).
pub fn read(text: &str) -> Result<Election, ParseError> {
    let mut diags = Vec::new();
    parse(text, Mode::Lenient, &mut diags)
}

/// Reads and checks a Pabulib file. In strict mode every checker rule runs.
pub fn check(text: &str, mode: Mode) -> CheckReport {
    let mut diags = Vec::new();
    let election = match parse(text, mode, &mut diags) {
        Ok(e) => Some(e),
        Err(e) => {
            diags.push(Diagnostic {
                level: Level::Error,
                line: e.line,
                code: "unreadable".into(),
                message: e.message,
            });
            None
        }
    };
    if let (Some(e), Mode::Strict) = (&election, mode) {
        strict_checks(e, &mut diags);
    }
    diags.sort_by_key(|d| (d.line, d.level == Level::Warning));
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    let warnings = diags.len() - errors;
    CheckReport {
        valid: errors == 0,
        errors,
        warnings,
        diagnostics: diags,
        election,
    }
}

fn err(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

fn push(
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

#[derive(PartialEq, Clone, Copy)]
enum Section {
    None,
    Meta,
    Projects,
    Votes,
}

fn parse(text: &str, mode: Mode, diags: &mut Vec<Diagnostic>) -> Result<Election, ParseError> {
    let strict = mode == Mode::Strict;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (recs, unterminated) = records(text);
    if let Some(l) = unterminated {
        return Err(err(
            l,
            "a quoted field is never closed (missing '\"'); close the quote",
        ));
    }
    let mut section = Section::None;
    let mut seen_sections: HashSet<&'static str> = HashSet::new();
    let mut meta: Vec<(String, String)> = Vec::new();
    let mut meta_lines = Vec::new();
    let mut project_columns: Vec<String> = Vec::new();
    let mut vote_columns: Vec<String> = Vec::new();
    let mut project_rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut vote_rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut expect_header = false;
    let last_nonblank = recs.iter().rposition(|r| !r.blank);
    for (ri, r) in recs.iter().enumerate() {
        if r.blank {
            if strict && last_nonblank.is_some_and(|l| ri < l) {
                push(
                    diags,
                    Level::Error,
                    r.line,
                    "empty-line",
                    "empty line inside the file; remove it",
                );
            }
            continue;
        }
        let first = r.fields[0].trim().to_ascii_lowercase();
        if r.fields.len() == 1 || r.fields[1..].iter().all(|f| f.trim().is_empty()) {
            let s = match first.as_str() {
                "meta" => Some((Section::Meta, "META")),
                "projects" => Some((Section::Projects, "PROJECTS")),
                "votes" => Some((Section::Votes, "VOTES")),
                _ => None,
            };
            if let Some((s, name)) = s {
                if !seen_sections.insert(name) {
                    return Err(err(
                        r.line,
                        format!("section {name} appears twice; merge the two sections"),
                    ));
                }
                if strict && r.fields[0].trim() != name {
                    push(
                        diags,
                        Level::Warning,
                        r.line,
                        "section-case",
                        format!("section header should be written `{name}`"),
                    );
                }
                section = s;
                expect_header = true;
                continue;
            }
        }
        if expect_header {
            expect_header = false;
            let cols: Vec<String> = r.fields.iter().map(|f| f.trim().to_string()).collect();
            match section {
                Section::Meta => {
                    if strict && (cols.len() < 2 || cols[0] != "key" || cols[1] != "value") {
                        push(
                            diags,
                            Level::Error,
                            r.line,
                            "meta-header",
                            "META header must be `key;value`",
                        );
                    }
                }
                Section::Projects => {
                    if (cols.is_empty() || cols[0] != "project_id") && strict {
                        push(
                            diags,
                            Level::Error,
                            r.line,
                            "projects-header",
                            "PROJECTS header must start with `project_id`",
                        );
                    }
                    if !cols.iter().any(|c| c == "cost") {
                        return Err(err(r.line, "PROJECTS header has no `cost` column; add it"));
                    }
                    let mut seen = HashSet::new();
                    for c in &cols {
                        if !seen.insert(c.clone()) {
                            return Err(err(
                                r.line,
                                format!("PROJECTS header repeats column `{c}`; rename one"),
                            ));
                        }
                    }
                    project_columns = cols;
                }
                Section::Votes => {
                    if !cols.iter().any(|c| c == "vote") {
                        return Err(err(r.line, "VOTES header has no `vote` column; add it"));
                    }
                    if strict && (cols.is_empty() || cols[0] != "voter_id") {
                        push(
                            diags,
                            Level::Error,
                            r.line,
                            "votes-header",
                            "VOTES header must start with `voter_id`",
                        );
                    }
                    let mut seen = HashSet::new();
                    for c in &cols {
                        if !seen.insert(c.clone()) {
                            return Err(err(
                                r.line,
                                format!("VOTES header repeats column `{c}`; rename one"),
                            ));
                        }
                    }
                    vote_columns = cols;
                }
                Section::None => {}
            }
            continue;
        }
        match section {
            Section::None => {
                if strict {
                    push(
                        diags,
                        Level::Error,
                        r.line,
                        "outside-section",
                        "row before the META section; start the file with `META`",
                    );
                }
            }
            Section::Meta => {
                if r.fields.len() < 2 {
                    return Err(err(r.line, "META row needs `key;value`"));
                }
                let k = r.fields[0].trim().to_string();
                let v = r.fields[1].trim().to_string();
                if strict
                    && r.fields.len() > 2
                    && r.fields[2..].iter().any(|f| !f.trim().is_empty())
                {
                    push(
                        diags,
                        Level::Error,
                        r.line,
                        "meta-extra-fields",
                        format!(
                            "META row `{k}` has more than two fields; quote the value if it contains `;`"
                        ),
                    );
                }
                if let Some(i) = meta.iter().position(|(mk, _)| *mk == k) {
                    if strict {
                        push(
                            diags,
                            Level::Error,
                            r.line,
                            "duplicate-meta",
                            format!("META key `{k}` repeated (first on line {})", meta_lines[i]),
                        );
                    }
                    meta[i].1 = v;
                } else {
                    meta.push((k, v));
                    meta_lines.push(r.line);
                }
            }
            Section::Projects => project_rows.push((r.line, r.fields.clone())),
            Section::Votes => vote_rows.push((r.line, r.fields.clone())),
        }
    }
    for name in ["META", "PROJECTS", "VOTES"] {
        if !seen_sections.contains(name) {
            if name == "VOTES" && !strict && seen_sections.contains("PROJECTS") {
                continue;
            }
            return Err(err(0, format!("section {name} is missing; add it")));
        }
    }
    let get = |k: &str| meta.iter().find(|(mk, _)| mk == k).map(|(_, v)| v.clone());
    let line_of = |k: &str| {
        meta.iter()
            .position(|(mk, _)| mk == k)
            .map(|i| meta_lines[i])
            .unwrap_or(0)
    };
    let vt_s = get("vote_type").ok_or_else(|| {
        err(
            0,
            "META has no `vote_type`; add one of approval, ordinal, cumulative, scoring, choose-1",
        )
    })?;
    let vote_type = VoteType::parse(&vt_s).ok_or_else(|| {
        err(
            line_of("vote_type"),
            format!(
                "unknown vote_type `{vt_s}`; use approval, ordinal, cumulative, scoring or choose-1"
            ),
        )
    })?;
    let budget_s = get("budget").ok_or_else(|| err(0, "META has no `budget`; add it"))?;
    if strict && budget_s.contains(',') {
        push(
            diags,
            Level::Error,
            line_of("budget"),
            "comma-in-number",
            "budget uses a decimal comma; write a decimal point",
        );
    }
    let budget = parse_q(&budget_s).ok_or_else(|| {
        err(
            line_of("budget"),
            format!("budget `{budget_s}` is not a number"),
        )
    })?;

    // PROJECTS
    let cost_col = project_columns
        .iter()
        .position(|c| c == "cost")
        .unwrap_or(1);
    let mut projects = Vec::with_capacity(project_rows.len());
    let mut index: HashMap<String, u32> = HashMap::new();
    for (line, fields) in project_rows {
        if fields.len() > project_columns.len() {
            return Err(err(
                line,
                format!(
                    "project row has {} fields but the header has {}; quote values containing `;`",
                    fields.len(),
                    project_columns.len()
                ),
            ));
        }
        let mut values: Vec<String> = fields.iter().map(|f| f.trim().to_string()).collect();
        if strict && values.len() < project_columns.len() {
            push(
                diags,
                Level::Error,
                line,
                "short-row",
                format!(
                    "project row has {} fields, header has {}",
                    values.len(),
                    project_columns.len()
                ),
            );
        }
        values.resize(project_columns.len(), String::new());
        let id = values[0].clone();
        if id.is_empty() {
            return Err(err(line, "project with an empty project_id"));
        }
        let cost_s = &values[cost_col];
        if is_none_cell(cost_s) {
            return Err(err(line, format!("project `{id}` has no cost")));
        }
        if strict && cost_s.contains(',') {
            push(
                diags,
                Level::Error,
                line,
                "comma-in-number",
                format!("project `{id}` cost `{cost_s}` uses a decimal comma"),
            );
        }
        let cost = parse_q(cost_s).ok_or_else(|| {
            err(
                line,
                format!("project `{id}` cost `{cost_s}` is not a number"),
            )
        })?;
        if index.contains_key(&id) {
            return Err(err(
                line,
                format!("duplicate project_id `{id}`; project ids must be unique"),
            ));
        }
        index.insert(id.clone(), projects.len() as u32);
        projects.push(Project {
            id,
            cost,
            values,
            line,
        });
    }

    // VOTES
    let vote_col = vote_columns.iter().position(|c| c == "vote").unwrap_or(1);
    let points_col = vote_columns.iter().position(|c| c == "points");
    let id_col = vote_columns.iter().position(|c| c == "voter_id");
    let mut voters = Vec::with_capacity(vote_rows.len());
    for (n, (line, fields)) in vote_rows.into_iter().enumerate() {
        if fields.len() > vote_columns.len() {
            return Err(err(
                line,
                format!(
                    "vote row has {} fields but the header has {}; quote values containing `;`",
                    fields.len(),
                    vote_columns.len()
                ),
            ));
        }
        let mut values: Vec<String> = fields.iter().map(|f| f.trim().to_string()).collect();
        values.resize(vote_columns.len(), String::new());
        let id = id_col
            .map(|c| values[c].clone())
            .unwrap_or_else(|| n.to_string());
        let vote_s = &values[vote_col];
        let mut vote = Vec::new();
        if !is_none_cell(vote_s) {
            for name in vote_s.split(',') {
                let name = name.trim();
                if name.is_empty() {
                    continue;
                }
                match index.get(name) {
                    Some(&i) => vote.push(i),
                    None => {
                        return Err(err(
                            line,
                            format!(
                                "voter `{id}` votes for unknown project `{name}`; fix the id or add the project"
                            ),
                        ));
                    }
                }
            }
        }
        let mut points = None;
        if let Some(pc) = points_col {
            let ps = &values[pc];
            if !is_none_cell(ps) && vote_type.has_points() {
                let mut pts = Vec::new();
                for (i, x) in ps.split(',').enumerate() {
                    if i >= vote.len() {
                        break;
                    }
                    pts.push(parse_q(x).ok_or_else(|| {
                        err(line, format!("voter `{id}` has non-numeric points `{x}`"))
                    })?);
                }
                if pts.len() < vote.len() {
                    return Err(err(
                        line,
                        format!(
                            "voter `{id}` has {} points for {} projects; give one point value per project",
                            pts.len(),
                            vote.len()
                        ),
                    ));
                }
                points = Some(pts);
            } else if !is_none_cell(ps) && vote_type == VoteType::Ordinal {
                let pts: Option<Vec<Q>> = ps.split(',').map(parse_q).collect();
                if let Some(p) = pts.filter(|p| p.len() == vote.len()) {
                    points = Some(p);
                }
            }
        }
        voters.push(Voter {
            id,
            vote,
            points,
            values,
            line,
        });
    }
    Ok(Election {
        meta,
        meta_lines,
        project_columns,
        projects,
        vote_columns,
        voters,
        vote_type,
        budget,
    })
}

const VALID_RULES: &[&str] = &[
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "greedy-exclusive",
    "greedy-custom",
    "equalshares",
    "equalshares-comparison",
    "equalshares/add1",
    "equalshares/add1-comparison",
    "unknown",
];

const OBLIGATORY_META: &[&str] = &[
    "description",
    "country",
    "unit",
    "instance",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
];

fn strict_checks(e: &Election, d: &mut Vec<Diagnostic>) {
    use Level::{Error, Warning};
    // Voter fields whose values the format defines.
    let sex_col = e.vote_columns.iter().position(|c| c == "sex");
    for v in &e.voters {
        if v.id.contains(',') {
            push(
                d,
                Error,
                v.line,
                "voter-id",
                format!(
                    "voter id `{}` contains a comma; ids are single values",
                    v.id
                ),
            );
        }
        if let Some(s) = sex_col.and_then(|i| v.values.get(i)) {
            let s = s.trim();
            if !(s.is_empty() || is_none_cell(s) || matches!(s, "M" | "F" | "O")) {
                push(
                    d,
                    Error,
                    v.line,
                    "sex",
                    format!("sex `{s}` for voter {} is not M, F or O", v.id),
                );
            }
        }
    }
    for k in OBLIGATORY_META {
        match e.meta(k) {
            None => push(
                d,
                Error,
                0,
                "missing-meta",
                format!("META has no `{k}`; add it"),
            ),
            Some(v) if v.trim().is_empty() => push(
                d,
                Error,
                e.meta_line(k),
                "empty-meta",
                format!("META `{k}` is empty"),
            ),
            _ => {}
        }
    }
    for (k, mode) in [
        ("num_projects", e.projects.len()),
        ("num_votes", e.voters.len()),
    ] {
        if let Some(v) = e.meta(k) {
            match v.trim().parse::<usize>() {
                Ok(n) if n != mode => {
                    let what = if k == "num_projects" {
                        "PROJECTS rows"
                    } else {
                        "VOTES rows"
                    };
                    push(
                        d,
                        Error,
                        e.meta_line(k),
                        if k == "num_projects" {
                            "num-projects-mismatch"
                        } else {
                            "num-votes-mismatch"
                        },
                        format!("META {k} is {n} but the file has {mode} {what}; correct {k}"),
                    )
                }
                Ok(_) => {}
                Err(_) => push(
                    d,
                    Error,
                    e.meta_line(k),
                    "not-a-number",
                    format!("META {k} `{v}` is not an integer"),
                ),
            }
        }
    }
    let rule = e.rule();
    if rule == crate::verify::EQUALSHARES_ADD1U {
        push(
            d,
            Warning,
            e.meta_line("rule"),
            "levers-rule",
            format!(
                "rule `{rule}` is levers' equal shares with add1 then votes completion; `levers pb verify` recomputes it but the Pabulib checker does not know it"
            ),
        );
    } else if !VALID_RULES.contains(&rule) {
        push(
            d,
            Error,
            e.meta_line("rule"),
            "unknown-rule",
            format!("rule `{rule}` is not one of {}", VALID_RULES.join(", ")),
        );
    }
    if rule == "greedy" && e.meta("min_project_score_threshold").is_some() {
        push(
            d,
            Error,
            e.meta_line("rule"),
            "rule-threshold",
            "rule is `greedy` but min_project_score_threshold is set; use `greedy-threshold`",
        );
    }
    if rule == "greedy-threshold" && e.meta("min_project_score_threshold").is_none() {
        push(
            d,
            Error,
            e.meta_line("rule"),
            "missing-threshold",
            "rule is `greedy-threshold` but META has no min_project_score_threshold",
        );
    }
    if let Some(c) = e.meta("comment")
        && !c.starts_with("#1: ")
    {
        push(
            d,
            Error,
            e.meta_line("comment"),
            "comment-format",
            "comment must start with `#1: ` and number each remark",
        );
    }
    if e.vote_type == VoteType::Cumulative && e.meta("max_sum_points").is_none() {
        push(
            d,
            Error,
            0,
            "missing-meta",
            "vote_type cumulative needs max_sum_points",
        );
    }
    for (k, v) in &e.meta {
        if [
            "min_length",
            "max_length",
            "num_projects",
            "num_votes",
            "min_points",
            "max_points",
            "min_sum_points",
            "max_sum_points",
            "min_project_score_threshold",
        ]
        .contains(&k.as_str())
            && !is_none_cell(v)
            && parse_q(v).is_none()
        {
            push(
                d,
                Error,
                e.meta_line(k),
                "not-a-number",
                format!("META {k} `{v}` is not a number"),
            );
        }
    }
    if let Some(c) = e.meta("currency")
        && !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        push(
            d,
            Error,
            e.meta_line("currency"),
            "currency",
            format!("currency `{c}` is not an ISO 4217 code"),
        );
    }
    for key in ["date_begin", "date_end"] {
        if let Some(v) = e.meta(key) {
            let ok = (v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()))
                || (v.len() == 10
                    && v.as_bytes()[2] == b'.'
                    && v.as_bytes()[5] == b'.'
                    && v.bytes()
                        .enumerate()
                        .all(|(i, b)| i == 2 || i == 5 || b.is_ascii_digit()));
            if !ok {
                push(
                    d,
                    Error,
                    e.meta_line(key),
                    "date-format",
                    format!("{key} `{v}` must be YYYY or DD.MM.YYYY"),
                );
            }
        }
    }

    // Projects.
    let budget_floor = floor_q(&e.budget);
    let zero = q_int(0);
    let sentinel = q_int(WITHDRAWN_SENTINEL_COST);
    for p in &e.projects {
        if p.cost <= zero {
            push(
                d,
                Error,
                p.line,
                "project-no-cost",
                format!("project `{}` has cost {}", p.id, fmt_q(&p.cost)),
            );
        } else if p.cost == sentinel {
            push(
                d,
                Warning,
                p.line,
                "withdrawn",
                format!(
                    "project `{}` has the withdrawn sentinel cost {WITHDRAWN_SENTINEL_COST}; it is never funded",
                    p.id
                ),
            );
        } else if p.cost > budget_floor {
            push(
                d,
                Error,
                p.line,
                "project-exceeds-budget",
                format!(
                    "project `{}` costs {} which exceeds the whole budget {}",
                    p.id,
                    fmt_q(&p.cost),
                    fmt_q(&budget_floor)
                ),
            );
        }
    }
    let counted = e.counted_votes();
    let scores = e.counted_scores();
    let has_votes = e.project_col("votes").is_some();
    let has_score = e.project_col("score").is_some();
    if !has_votes && !has_score {
        push(
            d,
            Error,
            e.projects
                .first()
                .map(|p| p.line.saturating_sub(1))
                .unwrap_or(0),
            "no-votes-or-score",
            "PROJECTS has neither `votes` nor `score`; add at least one",
        );
    }
    for (i, p) in e.projects.iter().enumerate() {
        if has_votes {
            match e.project_value(i, "votes").map(|v| (v, parse_q(v))) {
                Some((_, Some(v))) if v == q_int(counted[i] as i64) => {}
                Some((raw, _)) => push(
                    d,
                    Error,
                    p.line,
                    "votes-mismatch",
                    format!(
                        "project `{}` has votes {raw} but the ballots give {}",
                        p.id, counted[i]
                    ),
                ),
                None if counted[i] > 0 => push(
                    d,
                    Error,
                    p.line,
                    "votes-mismatch",
                    format!(
                        "project `{}` has no votes value but the ballots give {}",
                        p.id, counted[i]
                    ),
                ),
                None => {}
            }
            if counted[i] == 0 {
                push(
                    d,
                    Warning,
                    p.line,
                    "project-no-votes",
                    format!("project `{}` has no votes (was it on the ballot?)", p.id),
                );
            }
        }
        if has_score {
            match e.project_value(i, "score").map(|v| (v, parse_q(v))) {
                Some((_, Some(v))) if v == scores[i] => {}
                Some((raw, _)) => push(
                    d,
                    Error,
                    p.line,
                    "score-mismatch",
                    format!(
                        "project `{}` has score {raw} but the ballots give {}",
                        p.id,
                        fmt_q(&scores[i])
                    ),
                ),
                None if scores[i] != zero => push(
                    d,
                    Error,
                    p.line,
                    "score-mismatch",
                    format!(
                        "project `{}` has no score but the ballots give {}",
                        p.id,
                        fmt_q(&scores[i])
                    ),
                ),
                None => {}
            }
        }
    }
    // Selected / budget.
    if e.project_col("selected").is_some() {
        let mut spent = q_int(0);
        for (i, p) in e.projects.iter().enumerate() {
            match e.project_value(i, "selected") {
                Some("1") => spent += &p.cost,
                Some("0") | Some("2") | Some("3") | None => {}
                Some(v) => push(
                    d,
                    Error,
                    p.line,
                    "selected-value",
                    format!("project `{}` has selected `{v}`; use 0, 1, 2 or 3", p.id),
                ),
            }
        }
        if spent > budget_floor {
            push(
                d,
                Error,
                e.meta_line("budget"),
                "budget-exceeded",
                format!(
                    "selected projects cost {} which exceeds the budget {}",
                    fmt_q(&spent),
                    fmt_q(&budget_floor)
                ),
            );
        }
        if e.meta("fully_funded") != Some("1") {
            let left = &budget_floor - &spent;
            for (i, p) in e.projects.iter().enumerate() {
                if e.project_value(i, "selected") == Some("0") && p.cost < left {
                    push(
                        d,
                        Warning,
                        p.line,
                        "unused-budget",
                        format!(
                            "project `{}` fits in the unused budget ({}) but is not selected",
                            p.id,
                            fmt_q(&left)
                        ),
                    );
                }
            }
        }
    }
    // Ballots.
    let min_len = e.meta_q("min_length");
    let max_len = e.meta_q("max_length");
    let min_sum_cost = e.meta_q("min_sum_cost");
    let max_sum_cost = e.meta_q("max_sum_cost");
    let min_points = e.meta_q("min_points");
    let max_points = e.meta_q("max_points");
    let min_sum_points = e.meta_q("min_sum_points");
    let max_sum_points = e.meta_q("max_sum_points");
    let points_col = e.vote_col("points");
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for v in &e.voters {
        if let Some(first) = ids.insert(v.id.as_str(), v.line) {
            push(
                d,
                Error,
                v.line,
                "duplicate-voter",
                format!("voter_id `{}` repeated (first on line {first})", v.id),
            );
        }
        let mut set = v.vote.clone();
        set.sort_unstable();
        set.dedup();
        if set.len() != v.vote.len() {
            push(
                d,
                Error,
                v.line,
                "duplicate-in-vote",
                format!("voter `{}` lists a project more than once", v.id),
            );
        }
        if v.vote.is_empty() {
            push(
                d,
                Warning,
                v.line,
                "empty-vote",
                format!("voter `{}` has an empty vote", v.id),
            );
        }
        let n = q_int(v.vote.len() as i64);
        if let Some(m) = &min_len
            && n < *m
        {
            push(
                d,
                Error,
                v.line,
                "vote-too-short",
                format!(
                    "voter `{}` chose {} projects, min_length is {}",
                    v.id,
                    v.vote.len(),
                    fmt_q(m)
                ),
            );
        }
        if let Some(m) = &max_len
            && n > *m
        {
            push(
                d,
                Error,
                v.line,
                "vote-too-long",
                format!(
                    "voter `{}` chose {} projects, max_length is {}",
                    v.id,
                    v.vote.len(),
                    fmt_q(m)
                ),
            );
        }
        if e.vote_type == VoteType::Choose1 && v.vote.len() > 1 {
            push(
                d,
                Error,
                v.line,
                "choose-1",
                format!(
                    "voter `{}` chose {} projects on a choose-1 ballot",
                    v.id,
                    v.vote.len()
                ),
            );
        }
        if e.vote_type.is_approval() {
            if let Some(pc) = points_col
                && !is_none_cell(&v.values[pc])
            {
                push(
                    d,
                    Error,
                    v.line,
                    "points-on-approval",
                    format!(
                        "voter `{}` has points on an approval ballot; remove the points",
                        v.id
                    ),
                );
            }
            if min_sum_cost.is_some() || max_sum_cost.is_some() {
                let total: Q = set
                    .iter()
                    .map(|&p| e.projects[p as usize].cost.clone())
                    .sum();
                if let Some(m) = &max_sum_cost
                    && total > *m
                {
                    push(
                        d,
                        Error,
                        v.line,
                        "vote-over-max-sum-cost",
                        format!(
                            "voter `{}` chose projects costing {} over max_sum_cost {}",
                            v.id,
                            fmt_q(&total),
                            fmt_q(m)
                        ),
                    );
                }
                if let Some(m) = &min_sum_cost
                    && total < *m
                {
                    push(
                        d,
                        Error,
                        v.line,
                        "vote-under-min-sum-cost",
                        format!(
                            "voter `{}` chose projects costing {} under min_sum_cost {}",
                            v.id,
                            fmt_q(&total),
                            fmt_q(m)
                        ),
                    );
                }
            }
        }
        if e.vote_type.has_points() {
            let raw = points_col.map(|pc| v.values[pc].as_str()).unwrap_or("");
            match &v.points {
                None if !v.vote.is_empty() => push(
                    d,
                    Error,
                    v.line,
                    "missing-points",
                    format!(
                        "voter `{}` has no points on a {} ballot",
                        v.id,
                        e.vote_type.as_str()
                    ),
                ),
                None => {}
                Some(pts) => {
                    let given = raw.split(',').filter(|x| !x.trim().is_empty()).count();
                    if given != v.vote.len() {
                        push(
                            d,
                            Error,
                            v.line,
                            "points-count",
                            format!(
                                "voter `{}` has {given} points for {} projects",
                                v.id,
                                v.vote.len()
                            ),
                        );
                    }
                    let sum: Q = pts.iter().cloned().sum();
                    if let Some(m) = &max_sum_points
                        && sum > *m
                    {
                        push(
                            d,
                            Error,
                            v.line,
                            "points-over-max-sum",
                            format!(
                                "voter `{}` gave {} points, max_sum_points is {}",
                                v.id,
                                fmt_q(&sum),
                                fmt_q(m)
                            ),
                        );
                    }
                    if let Some(m) = &min_sum_points
                        && sum < *m
                    {
                        push(
                            d,
                            Error,
                            v.line,
                            "points-under-min-sum",
                            format!(
                                "voter `{}` gave {} points, min_sum_points is {}",
                                v.id,
                                fmt_q(&sum),
                                fmt_q(m)
                            ),
                        );
                    }
                    for x in pts {
                        if let Some(m) = &max_points
                            && x > m
                        {
                            push(
                                d,
                                Error,
                                v.line,
                                "points-over-max",
                                format!(
                                    "voter `{}` gave {} points to one project, max_points is {}",
                                    v.id,
                                    fmt_q(x),
                                    fmt_q(m)
                                ),
                            );
                        }
                        if let Some(m) = &min_points
                            && x < m
                        {
                            push(
                                d,
                                Error,
                                v.line,
                                "points-under-min",
                                format!(
                                    "voter `{}` gave {} points to one project, min_points is {}",
                                    v.id,
                                    fmt_q(x),
                                    fmt_q(m)
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
    // Rule compliance.
    if e.project_col("selected").is_some()
        && (VALID_RULES.contains(&rule) || rule == crate::verify::EQUALSHARES_ADD1U)
    {
        let v = crate::verify::verify(e);
        if v.supported && !v.matches {
            let why = v.reason.clone().unwrap_or_default();
            push(
                d,
                Error,
                e.meta_line("rule"),
                "rule-not-followed",
                format!("the `selected` column does not follow rule `{rule}`: {why}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "META\nkey;value\ndescription;t\ncountry;X\nunit;U\ninstance;1\nnum_projects;2\nnum_votes;2\nbudget;10\nvote_type;approval\nrule;greedy\ndate_begin;2024\ndate_end;2024\nPROJECTS\nproject_id;cost;votes;name;selected\n1;6;2;\"A; b\";1\n2;5;1;B;0\nVOTES\nvoter_id;vote\nv1;1,2\nv2;1\n";

    #[test]
    fn reads_small_file() {
        let e = read(SMALL).unwrap();
        assert_eq!(e.projects.len(), 2);
        assert_eq!(e.projects[0].values[3], "A; b");
        assert_eq!(e.voters[0].vote, vec![0, 1]);
        assert_eq!(e.budget, q_int(10));
        let r = check(SMALL, Mode::Strict);
        assert!(r.valid, "{:?}", r.diagnostics);
    }

    #[test]
    fn strict_checks_voter_ids_and_sex() {
        let text = "META\nkey;value\ndescription;x\ncountry;X\nunit;X\ninstance;2024\nnum_projects;1\nnum_votes;2\nbudget;10\nvote_type;approval\nrule;greedy\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;sex;vote\n290,67;M;1\n2;Z;1\n";
        let r = check(text, Mode::Strict);
        let codes: Vec<(&str, usize)> = r
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.line))
            .collect();
        assert!(codes.contains(&("voter-id", 17)), "{codes:?}");
        assert!(codes.contains(&("sex", 18)), "{codes:?}");
    }

    #[test]
    fn strict_reports_count_mismatches_with_lines() {
        let bad = SMALL
            .replace("num_votes;2", "num_votes;5")
            .replace("v2;1\n", "v2;1\nv1;2\n");
        let r = check(&bad, Mode::Strict);
        assert!(!r.valid);
        assert!(
            r.diagnostics
                .iter()
                .any(|d| d.code == "num-votes-mismatch" && d.line == 8),
            "{:?}",
            r.diagnostics
        );
        assert!(
            r.diagnostics
                .iter()
                .any(|d| d.code == "duplicate-voter" && d.line == 22),
            "{:?}",
            r.diagnostics
        );
        // votes column now disagrees too
        assert!(r.diagnostics.iter().any(|d| d.code == "votes-mismatch"));
    }

    #[test]
    fn points_on_approval_and_unknown_project() {
        let bad = SMALL
            .replace("voter_id;vote\n", "voter_id;vote;points\n")
            .replace("v1;1,2\n", "v1;1,2;1,1\n");
        let r = check(&bad, Mode::Strict);
        assert!(r.diagnostics.iter().any(|d| d.code == "points-on-approval"));
        let bad = SMALL.replace("v2;1\n", "v2;9\n");
        let e = read(&bad).unwrap_err();
        assert_eq!(e.line, 21);
    }

    #[test]
    fn duplicate_project_is_fatal() {
        let bad = SMALL.replace("2;5;1;B;0", "1;5;1;B;0");
        assert!(read(&bad).is_err());
    }
}

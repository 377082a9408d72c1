//! Parsing a Pabulib file's META, PROJECTS and VOTES sections into an `Election`.

use super::diag::{Diagnostic, Level, Mode, ParseError, err, push};
use crate::csv::records;
use crate::model::{Election, Project, VoteType, Voter, is_none_cell};
use crate::num::{Q, parse_q};
use std::collections::{HashMap, HashSet};

#[derive(PartialEq, Clone, Copy)]
enum Section {
    None,
    Meta,
    Projects,
    Votes,
}

pub(super) fn parse(
    text: &str,
    mode: Mode,
    diags: &mut Vec<Diagnostic>,
) -> Result<Election, ParseError> {
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
        if cost < Q::from_integer(0.into()) {
            return Err(err(
                line,
                format!(
                    "project `{id}` has a negative cost `{cost_s}`; costs must be zero or more"
                ),
            ));
        }
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
                    let pt = parse_q(x).ok_or_else(|| {
                        err(line, format!("voter `{id}` has non-numeric points `{x}`"))
                    })?;
                    if pt < Q::from_integer(0.into()) {
                        return Err(err(
                            line,
                            format!(
                                "voter `{id}` gives negative points `{}`; points must be zero or more",
                                x.trim()
                            ),
                        ));
                    }
                    pts.push(pt);
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

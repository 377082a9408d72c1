//! Pabulib writer: serialises an `Election` so that reading it back gives the same instance.

use crate::csv::join;
use crate::model::Election;
use crate::num::{fmt_q, parse_q};

/// Writes the election as a Pabulib file (LF line endings, UTF-8, no BOM).
pub fn write(e: &Election) -> String {
    let mut out = String::with_capacity(64 * (e.voters.len() + e.projects.len() + e.meta.len()));
    out.push_str("META\nkey;value\n");
    for (k, v) in &e.meta {
        out.push_str(&join(&[k.clone(), v.clone()]));
        out.push('\n');
    }
    out.push_str("PROJECTS\n");
    out.push_str(&join(&e.project_columns));
    out.push('\n');
    let cost_col = e.project_col("cost");
    for p in &e.projects {
        let mut vals = p.values.clone();
        vals.resize(e.project_columns.len(), String::new());
        if !vals.is_empty() {
            vals[0] = p.id.clone();
        }
        if let Some(c) = cost_col
            && parse_q(&vals[c].replace(',', ".")).as_ref() != Some(&p.cost)
        {
            vals[c] = fmt_q(&p.cost);
        }
        out.push_str(&join(&vals));
        out.push('\n');
    }
    out.push_str("VOTES\n");
    out.push_str(&join(&e.vote_columns));
    out.push('\n');
    let vote_col = e.vote_col("vote");
    let points_col = e.vote_col("points");
    let id_col = e.vote_col("voter_id");
    for v in &e.voters {
        let mut vals = v.values.clone();
        vals.resize(e.vote_columns.len(), String::new());
        if let Some(c) = id_col {
            vals[c] = v.id.clone();
        }
        if let Some(c) = vote_col {
            vals[c] = v
                .vote
                .iter()
                .map(|&p| e.projects[p as usize].id.as_str())
                .collect::<Vec<_>>()
                .join(",");
        }
        if let (Some(c), Some(pts)) = (points_col, &v.points) {
            let parsed: Option<Vec<_>> = vals[c].split(',').map(parse_q).collect();
            if parsed.as_ref().map(|p| &p[..p.len().min(pts.len())]) != Some(&pts[..]) {
                vals[c] = pts.iter().map(fmt_q).collect::<Vec<_>>().join(",");
            }
        }
        out.push_str(&join(&vals));
        out.push('\n');
    }
    out
}

//! The count's plain-English explanation: for every project, sentences on why it was or was not
//! funded under the process's rule (who paid what under MES, what was left, what it fell short by).

use std::collections::HashMap;

use num_traits::ToPrimitive;

use crate::model::Election;
use crate::num::{Q, q_f64, q_int};
use crate::process::{AllocationRule, BallotType, ProcessDef, levers_pence};
use crate::rules::{Explanation, Outcome};

/// An amount in pounds (exact or a share) shown to the penny.
fn pounds_q(q: &Q) -> String {
    levers_pence((q_f64(q) * 100.0).round() as i64)
}

fn people(n: u64) -> String {
    if n == 1 {
        "1 person".into()
    } else {
        format!("{n} people")
    }
}

/// Sentences for every project (aligned with `e.projects`).
pub(super) fn explain(
    def: &ProcessDef,
    e: &Election,
    out: &Outcome,
    votes: &[u64],
) -> Vec<Vec<String>> {
    let n = e.projects.len();
    let mut text: Vec<Vec<String>> = vec![Vec::new(); n];
    let idx: HashMap<&str, usize> = e
        .projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let name = |i: usize| {
        e.projects[i]
            .values
            .get(e.project_col("name").unwrap_or(0))
            .cloned()
            .unwrap_or_default()
    };
    let funded: Vec<bool> = (0..n).map(|i| out.selected_idx.contains(&i)).collect();
    match &out.explanation {
        Some(Explanation::Mes(m)) => {
            let share = &m.budget_per_voter.0;
            for r in &m.rounds {
                let Some(&i) = idx.get(r.project.as_str()) else {
                    continue;
                };
                let full: u64 = r
                    .payments
                    .iter()
                    .filter(|p| !p.capped)
                    .map(|p| p.voters)
                    .sum();
                let capped: u64 = r
                    .payments
                    .iter()
                    .filter(|p| p.capped)
                    .map(|p| p.voters)
                    .sum();
                let capped_paid: Q = r
                    .payments
                    .iter()
                    .filter(|p| p.capped)
                    .map(|p| &p.paid.0 * q_int(p.voters as i64))
                    .sum();
                let mut s = format!(
                    "Funded in round {} of equal shares. Its {} shared the {} cost",
                    r.round,
                    people(r.supporters),
                    pounds_q(&e.projects[i].cost)
                );
                if capped == 0 {
                    s.push_str(&format!(
                        ": each paid about {} from their share.",
                        pounds_q(&r.price_per_supporter.0)
                    ));
                } else {
                    s.push_str(&format!(
                        ": {} paid about {} each, and {} who had less left paid all they had left ({} between them).",
                        people(full),
                        pounds_q(&r.price_per_supporter.0),
                        people(capped),
                        pounds_q(&capped_paid)
                    ));
                }
                text[i].push(s);
            }
            let by_support = |i: usize| votes[i];
            for u in &m.unfunded {
                let Some(&i) = idx.get(u.project.as_str()) else {
                    continue;
                };
                let left = &u.supporters_money_left.0;
                let start = share * q_int(u.supporters as i64);
                let spent = &start - left;
                if u.supporters == 0 {
                    text[i].push("Nobody voted for it, so nobody's share could pay for it.".into());
                } else {
                    text[i].push(format!(
                        "{} supported it. With each voter's share of about {}, they started with about {} between them; they spent about {} of that on other funded projects they also backed, leaving {}: {} short of its {} cost.",
                        people(u.supporters),
                        pounds_q(share),
                        pounds_q(&start),
                        pounds_q(&spent),
                        pounds_q(left),
                        pounds_q(&u.shortfall.0),
                        pounds_q(&u.cost.0),
                    ));
                    let outvoted: Vec<String> = (0..n)
                        .filter(|&j| {
                            funded[j]
                                && by_support(j) < by_support(i)
                                && !m.completion_added.contains(&e.projects[j].id)
                        })
                        .map(name)
                        .collect();
                    if !outvoted.is_empty() && !u.funded_by_completion {
                        text[i].push(format!(
                            "More people voted for it than for {} funded by equal shares ({}), but its supporters had already used most of their fair share of the pot on other projects; funding it too would have given one group more than its share while other voters' choices went unfunded.",
                            if outvoted.len() == 1 { "one project".to_string() } else { format!("{} projects", outvoted.len()) },
                            outvoted.join(", ")
                        ));
                    }
                    if let Some(k) = u
                        .more_supporters_needed
                        .filter(|k| *k > 0 && !u.funded_by_completion)
                    {
                        text[i].push(if k == 1 {
                            "It would have needed about 1 more supporter with an unspent share."
                                .to_string()
                        } else {
                            format!(
                                "It would have needed about {k} more supporters with unspent shares."
                            )
                        });
                    }
                }
                if u.funded_by_completion {
                    text[i].push("It was funded at the end from money left over once no project could be paid for by equal shares: leftover money goes to the projects with the most supporters that still fit.".into());
                } else if u.supporters > 0 {
                    let pence = |j: usize| {
                        (&e.projects[j].cost * q_int(100))
                            .to_integer()
                            .to_i64()
                            .unwrap_or(0)
                    };
                    let total: i64 = out.selected_idx.iter().map(|&j| pence(j)).sum();
                    let left = def.pot_pence - total;
                    let cost = pence(i);
                    if cost > left {
                        text[i].push(format!("At the end only {} of the pot was left, less than its cost, so leftover money could not fund it either.", levers_pence(left)));
                    }
                }
            }
        }
        Some(Explanation::Greedy { steps }) => {
            let unit = match def.ballot {
                BallotType::Cumulative { .. } => "points",
                BallotType::Ranking { .. } => "rank score",
                _ => "votes",
            };
            for (pos, st) in steps.iter().enumerate() {
                let Some(&i) = idx.get(st.project.as_str()) else {
                    continue;
                };
                let head = format!(
                    "Ranked {} of {} with {} {unit}.",
                    pos + 1,
                    steps.len(),
                    st.score
                );
                let body = if st.funded {
                    format!(
                        "Funded: it cost {} and {} of the pot was still unspent.",
                        pounds_q(&st.cost.0),
                        pounds_q(&st.remaining.0)
                    )
                } else {
                    format!(
                        "Not funded: it cost {} but only {} of the pot was left when its turn came.",
                        pounds_q(&st.cost.0),
                        pounds_q(&st.remaining.0)
                    )
                };
                text[i].push(format!("{head} {body}"));
            }
        }
        _ => {}
    }
    for (i, t) in text.iter_mut().enumerate() {
        if t.is_empty() {
            t.push(if funded[i] {
                "Funded.".into()
            } else {
                "Not funded.".into()
            });
        }
    }
    let _ = AllocationRule::EqualShares;
    text
}

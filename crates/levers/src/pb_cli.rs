//! `levers pb …`: command-line glue for the participatory budgeting engine (levers-pb).

use anyhow::{Context, Result, anyhow, bail};
use levers_pb::compare::compare;
use levers_pb::rules::{Completion, Prepared, RuleKind, RuleSpec, Sat, Semantics, Tie};
use levers_pb::{Election, Mode, check, read, verify};
use std::path::{Path, PathBuf};

const RULES: [&str; 8] = [
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "greedy-custom",
    "utilitarian",
    "mes",
    "phragmen",
    "max-welfare",
];

/// Participatory budgeting commands.
#[derive(clap::Subcommand, Debug)]
pub enum PbCommand {
    /// Read a Pabulib (.pb) file and report problems (lenient: what pabutools accepts; --strict:
    /// every Pabulib-checker rule, with line numbers).
    Check {
        /// The .pb file.
        file: PathBuf,
        /// Enforce the Pabulib checker's rules (errors and warnings).
        #[arg(long)]
        strict: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a rule and print the outcome as JSON ({"rule","selected","total_cost","budget",…}).
    Run {
        /// The .pb file.
        file: PathBuf,
        /// The rule.
        #[arg(long, value_parser = RULES)]
        rule: String,
        /// Satisfaction function (utilitarian, mes, max-welfare).
        #[arg(long, default_value = "cost", value_parser = ["cost", "cardinality"])]
        sat: String,
        /// MES completion.
        #[arg(long, default_value = "none", value_parser = ["none", "add1", "add1u", "utilitarian"])]
        completion: String,
        /// Whose MES definition to follow: pabutools (B/n, ties by id), equalshares (equalshares.net:
        /// floor(B/n) start, ties lowest cost then most votes) or checker (Pabulib checker, used by
        /// `verify`: costs floored, add1 stops only on overspend).
        #[arg(long, default_value = "pabutools", value_parser = ["pabutools", "equalshares", "checker"])]
        semantics: String,
        /// Tie-breaking (default: the rule's reference: file order for city rules, project id for
        /// pabutools rules, cost-votes for equalshares/checker MES).
        #[arg(long, value_parser = ["id", "file", "min-cost", "max-cost", "max-votes", "cost-votes"])]
        tie: Option<String>,
        /// Like pabutools, let utilitarian greedy (and completions) fund projects nobody voted for.
        #[arg(long)]
        fund_unsupported: bool,
        /// add1 per-voter increment in currency units (default 1).
        #[arg(long)]
        increment: Option<String>,
        /// Include the step-by-step explanation.
        #[arg(long)]
        explain: bool,
        /// Print JSON (the default output of `run`; accepted for symmetry).
        #[arg(long)]
        json: bool,
    },
    /// Recompute the file's own `rule` and compare with its `selected` column.
    Verify {
        /// The .pb file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run several rules and show outcomes side by side with satisfaction and proportionality figures.
    Compare {
        /// The .pb file.
        file: PathBuf,
        /// Comma-separated rules, e.g. greedy,utilitarian,mes,phragmen. A rule may carry options:
        /// mes:add1, mes:add1u:equalshares, utilitarian:cardinality.
        #[arg(long, value_delimiter = ',', required = true)]
        rules: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn load(file: &Path) -> Result<(String, Election)> {
    let text = std::fs::read_to_string(file).with_context(|| {
        format!(
            "{}: cannot read the file (check the path and that it is UTF-8)",
            file.display()
        )
    })?;
    let e = read(&text).map_err(|err| anyhow!("{}: {}", file.display(), err))?;
    Ok((text, e))
}

fn parse_spec(rule: &str) -> Result<RuleSpec> {
    let mut parts = rule.split(':');
    let name = parts.next().unwrap_or_default();
    let kind = RuleKind::parse(name)
        .ok_or_else(|| anyhow!("unknown rule `{name}`; use one of {}", RULES.join(", ")))?;
    let mut spec = RuleSpec::new(kind);
    for opt in parts {
        if let Some(s) = Sat::parse(opt) {
            spec.sat = s;
        } else if let Some(c) = Completion::parse(opt) {
            spec.completion = c;
        } else if let Some(s) = Semantics::parse(opt) {
            spec.semantics = s;
        } else if let Some(t) = Tie::parse(opt) {
            spec.tie = Some(t);
        } else {
            bail!(
                "unknown option `{opt}` in rule `{rule}`; use cost, cardinality, add1, add1u, utilitarian, pabutools, equalshares, checker or a tie order"
            );
        }
    }
    Ok(spec)
}

/// Runs a `levers pb` command.
pub fn run(cmd: PbCommand) -> Result<()> {
    match cmd {
        PbCommand::Check { file, strict, json } => {
            let text = std::fs::read_to_string(&file).with_context(|| {
                format!(
                    "{}: cannot read the file (check the path and that it is UTF-8)",
                    file.display()
                )
            })?;
            let report = check(&text, if strict { Mode::Strict } else { Mode::Lenient });
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for d in &report.diagnostics {
                    println!("{}:{}", file.display(), d);
                }
                println!(
                    "{}: {} ({} errors, {} warnings)",
                    file.display(),
                    if report.valid { "valid" } else { "invalid" },
                    report.errors,
                    report.warnings
                );
            }
            if !report.valid {
                let first = report
                    .diagnostics
                    .iter()
                    .find(|d| d.level == levers_pb::Level::Error);
                match first {
                    Some(d) => bail!(
                        "{}: line {}: {} (and {} more errors; fix them and run the check again)",
                        file.display(),
                        d.line,
                        d.message,
                        report.errors - 1
                    ),
                    None => bail!("{}: invalid", file.display()),
                }
            }
            Ok(())
        }
        PbCommand::Run {
            file,
            rule,
            sat,
            completion,
            semantics,
            tie,
            fund_unsupported,
            increment,
            explain,
            json: _,
        } => {
            let (_, e) = load(&file)?;
            let mut spec = parse_spec(&rule)?;
            spec.sat = Sat::parse(&sat)
                .ok_or_else(|| anyhow!("unknown --sat `{sat}`; use cost or cardinality"))?;
            spec.completion = Completion::parse(&completion)
                .ok_or_else(|| anyhow!("unknown --completion `{completion}`"))?;
            spec.semantics = Semantics::parse(&semantics)
                .ok_or_else(|| anyhow!("unknown --semantics `{semantics}`"))?;
            if let Some(t) = tie {
                spec.tie = Some(Tie::parse(&t).ok_or_else(|| anyhow!("unknown --tie `{t}`"))?);
            }
            spec.fund_unsupported = fund_unsupported;
            if let Some(i) = increment {
                spec.increment = Some(
                    levers_pb::num::parse_q(&i)
                        .ok_or_else(|| anyhow!("--increment `{i}` is not a number"))?,
                );
            }
            let out = levers_pb::run(&e, &spec, explain)
                .map_err(|err| anyhow!("{}: {}", file.display(), err))?;
            println!("{}", serde_json::to_string_pretty(&out)?);
            Ok(())
        }
        PbCommand::Verify { file, json } => {
            let (_, e) = load(&file)?;
            let v = verify(&e);
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                let status = if !v.supported {
                    "not verifiable"
                } else if v.matches {
                    "matches"
                } else {
                    "does NOT match"
                };
                println!("{}: rule {}: {}", file.display(), v.rule, status);
                println!("  official: {}", v.official.join(", "));
                println!("  computed: {}", v.computed.join(", "));
                if let Some(m) = &v.method {
                    println!("  method:   {m}");
                }
                if let Some(r) = &v.reason {
                    println!("  note:     {r}");
                }
            }
            Ok(())
        }
        PbCommand::Compare { file, rules, json } => {
            let (_, e) = load(&file)?;
            let specs = rules
                .iter()
                .map(|r| parse_spec(r.trim()))
                .collect::<Result<Vec<_>>>()?;
            let prep = Prepared::new(&e);
            let cols =
                compare(&prep, &specs).map_err(|err| anyhow!("{}: {}", file.display(), err))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&cols)?);
                return Ok(());
            }
            let width = 14;
            print!("{:<32}", "");
            for c in &cols {
                print!(" {:>w$}", shorten(&c.outcome.rule, width), w = width);
            }
            println!();
            let rows: [(&str, RowFn); 8] = [
                (
                    "projects funded",
                    Box::new(|c| c.outcome.selected.len().to_string()),
                ),
                ("total cost", Box::new(|c| c.outcome.total_cost.to_string())),
                (
                    "budget used",
                    Box::new(|c| format!("{:.1}%", 100.0 * c.figures.budget_used)),
                ),
                (
                    "avg cost satisfaction",
                    Box::new(|c| format!("{:.0}", c.figures.avg_cost_satisfaction)),
                ),
                (
                    "avg funded on ballot",
                    Box::new(|c| format!("{:.3}", c.figures.avg_cardinality_satisfaction)),
                ),
                (
                    "voters with nothing funded",
                    Box::new(|c| format!("{:.1}%", 100.0 * c.figures.exclusion_ratio)),
                ),
                (
                    "Gini of cost satisfaction",
                    Box::new(|c| format!("{:.3}", c.figures.gini_cost_satisfaction)),
                ),
                (
                    "voters reaching fair share",
                    Box::new(|c| format!("{:.1}%", 100.0 * c.figures.fair_share_reached)),
                ),
            ];
            for (name, f) in rows.iter() {
                print!("{name:<32}");
                for c in &cols {
                    print!(" {:>w$}", f(c), w = width);
                }
                println!();
            }
            let mut all: Vec<&String> = cols
                .iter()
                .flat_map(|c| c.outcome.selected.iter())
                .collect();
            all.sort();
            all.dedup();
            println!("\nproject (cost)                   selected by");
            for p in all {
                let cost = e
                    .project_index(p)
                    .map(|i| levers_pb::num::fmt_q(&e.projects[i].cost))
                    .unwrap_or_default();
                print!("{:<32}", shorten(&format!("{p} ({cost})"), 32));
                for c in &cols {
                    let pos = c.outcome.selected.iter().position(|x| x == p);
                    print!(
                        " {:>w$}",
                        pos.map(|i| format!("#{}", i + 1))
                            .unwrap_or_else(|| "-".into()),
                        w = width
                    );
                }
                println!();
            }
            Ok(())
        }
    }
}

type RowFn = Box<dyn Fn(&levers_pb::compare::Column) -> String>;

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let t: String = s.chars().take(n - 1).collect();
        format!("{t}…")
    }
}

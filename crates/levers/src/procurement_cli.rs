//! `levers spend suppliers import`, `levers spend registers import` and `levers spend lm3`: the
//! council's supplier records, the public registers and the local multiplier from the shell (the
//! analysis itself is `spend_analyse_cli.rs`).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use levers_core::Money;
use levers_spend::lm3::{Lm3Inputs, Lm3Responses, SURVEY_TEMPLATE, lm3, lm3_from_survey, lm3_json};
use levers_spend::registers::read_register;
use levers_spend::suppliers::{SupplierField, read_suppliers};
use levers_store::{Actor, Store};

#[derive(Subcommand, Debug)]
pub enum SuppliersCommand {
    /// Import a body's supplier (creditor) master file: supplier ID, name, postcode, branch postcodes,
    /// company, charity and VAT numbers, type, sector. Headers are recognised as for spending files;
    /// suppliers already held (same ID, or same name when there is none) are updated.
    Import {
        file: PathBuf,
        /// The council or other body whose suppliers these are (as named in its spend imports).
        #[arg(long)]
        body: String,
        /// Choose a column by its header: `--map postcode="Remit Post Code"`. Fields: supplier_id, name,
        /// postcode, branch_postcodes, company_number, charity_number, vat_number, declared_type, sector.
        #[arg(long = "map")]
        map: Vec<String>,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum RegistersCommand {
    /// Import Companies House basic company data (BasicCompanyData*.csv) or the Charity Commission
    /// register extract (publicextract.charity.txt or .csv), recognised by their headers. Only the
    /// companies and charities whose numbers appear on supplier records or payments are kept, unless
    /// --all is given; the files stream, so the full national files are fine.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Keep every record, not only those of known suppliers.
        #[arg(long)]
        all: bool,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
        #[arg(long)]
        json: bool,
    },
}

/// The local multiplier (NEF LM3): from direct figures, or from a survey file.
#[derive(Args, Debug)]
pub struct Lm3Args {
    /// Round 1: the income traced (e.g. a contract's value), in pounds.
    #[arg(long)]
    r1: Option<String>,
    /// Round 2: the recipient's spending on staff who live in the area, in pounds.
    #[arg(long)]
    r2_staff: Option<String>,
    /// Round 2: the recipient's spending with local suppliers, in pounds.
    #[arg(long)]
    r2_suppliers: Option<String>,
    /// Round 3: the share of their pay local staff spend locally (0.454 or 45.4%).
    #[arg(long)]
    r3_staff_share: Option<String>,
    /// Round 3: the share of their income local suppliers spend locally.
    #[arg(long)]
    r3_supplier_share: Option<String>,
    /// A survey file (CSV or spreadsheet; write a template with --template).
    #[arg(long, conflicts_with_all = ["r1", "r2_staff", "r2_suppliers", "r3_staff_share", "r3_supplier_share"])]
    survey: Option<PathBuf>,
    /// Write the survey template to this file and stop.
    #[arg(long)]
    template: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

use crate::progress::bytes_bar;

fn supplier_map(specs: &[String]) -> anyhow::Result<Vec<(SupplierField, String)>> {
    let mut out = Vec::new();
    for spec in specs {
        let (f, h) = spec
            .split_once('=')
            .with_context(|| format!("--map {spec:?} has no '=': write field=\"Header\""))?;
        let field = SupplierField::ALL
            .into_iter()
            .find(|x| x.name() == f.trim())
            .with_context(|| {
                format!(
                    "--map {spec:?}: \"{}\" is not a field; fields are {}",
                    f.trim(),
                    SupplierField::ALL
                        .iter()
                        .map(|x| x.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        out.push((field, h.trim().trim_matches('"').to_string()));
    }
    Ok(out)
}

pub async fn suppliers(cmd: SuppliersCommand) -> anyhow::Result<()> {
    let SuppliersCommand::Import {
        file,
        body,
        map,
        database,
        json,
    } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.display().to_string();
    let (records, report) = read_suppliers(&name, &bytes, &supplier_map(&map)?)?;
    let store = Store::open(&database).await?;
    let sha = levers_app::credentials::sha256_hex(&bytes);
    let counts = store
        .import_suppliers(
            &Actor::system("cli"),
            &body,
            &name,
            &sha,
            &records,
            &serde_json::to_value(&report)?,
        )
        .await
        .with_context(|| format!("{name} was not imported (nothing from it was stored)"))?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"body": body, "import": counts, "report": report})
            )?
        );
    } else {
        print!("{}", report.render_text());
        println!(
            "  stored for {body}: {} new, {} updated",
            counts.added, counts.updated
        );
    }
    Ok(())
}

pub async fn registers(cmd: RegistersCommand) -> anyhow::Result<()> {
    let RegistersCommand::Import {
        files,
        all,
        database,
        json,
    } = cmd;
    let store = Store::open(&database).await?;
    let (companies, charities) = store.proc_wanted_numbers().await?;
    let mut out = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let f = std::fs::File::open(&path).with_context(|| format!("cannot read {name}"))?;
        let len = f.metadata().map_or(0, |m| m.len());
        let bar = bytes_bar(&format!("reading {name}"), len);
        let f = bar.wrap_read(f);
        let mut kept = Vec::new();
        let report = read_register(
            &name,
            f,
            |r| {
                all || match r {
                    levers_spend::registers::RegisterRecord::Company(c) => {
                        companies.contains(&c.number)
                    }
                    levers_spend::registers::RegisterRecord::Charity(c) => {
                        charities.contains(&c.number)
                            || c.company_number
                                .as_ref()
                                .is_some_and(|n| companies.contains(n))
                    }
                }
            },
            |r| kept.push(r),
        )?;
        bar.finish_and_clear();
        let id = store
            .import_register(
                &Actor::system("cli"),
                report.kind,
                &name,
                &kept,
                &serde_json::to_value(&report)?,
            )
            .await?;
        if json {
            out.push(serde_json::json!({"file": name, "import_id": id, "report": report}));
        } else {
            print!("{}", report.render_text());
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(())
}

fn pounds_arg(name: &str, v: &Option<String>) -> anyhow::Result<Money> {
    let s = v
        .as_deref()
        .with_context(|| format!("--{name} is needed (or give --survey FILE)"))?;
    levers_spend::parse_amount(s).map_err(|e| anyhow::anyhow!("--{name} {s:?}: {e}"))
}

fn share_arg(name: &str, v: &Option<String>) -> anyhow::Result<f64> {
    let s = v
        .as_deref()
        .with_context(|| format!("--{name} is needed (or give --survey FILE)"))?;
    levers_spend::lm3::parse_share(s)
        .with_context(|| format!("--{name} {s:?} is not a share between 0 and 1 (or 0% and 100%)"))
}

pub fn lm3_cmd(a: Lm3Args) -> anyhow::Result<()> {
    if let Some(t) = &a.template {
        std::fs::write(t, SURVEY_TEMPLATE)
            .with_context(|| format!("cannot write {}", t.display()))?;
        println!("wrote the LM3 survey template to {}", t.display());
        return Ok(());
    }
    let (result, survey) = match &a.survey {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let rep = lm3_from_survey(&path.display().to_string(), &bytes)?;
            (rep.lm3, Some(rep))
        }
        None => {
            let inputs = Lm3Inputs {
                r1: pounds_arg("r1", &a.r1)?,
                r2_staff: pounds_arg("r2-staff", &a.r2_staff)?,
                r2_suppliers: pounds_arg("r2-suppliers", &a.r2_suppliers)?,
                r3_staff_share: share_arg("r3-staff-share", &a.r3_staff_share)?,
                r3_supplier_share: share_arg("r3-supplier-share", &a.r3_supplier_share)?,
            };
            let one = Lm3Responses {
                r1: 1,
                r2_staff: 1,
                r2_suppliers: 1,
                r3_staff: 1,
                r3_suppliers: 1,
            };
            (lm3(inputs, one)?, None)
        }
    };
    if a.json {
        let mut j = lm3_json(&result);
        if let Some(rep) = &survey {
            // The survey mode adds the responses behind each figure after the four figures.
            j.pop();
            j.push_str(&format!(
                ",\"r3_staff_share\":{},\"r3_supplier_share\":{},\"responses\":{},\"rejected\":{}}}",
                serde_json::json!(rep.lm3.inputs.r3_staff_share),
                serde_json::json!(rep.lm3.inputs.r3_supplier_share),
                serde_json::to_string(&rep.lm3.responses)?,
                serde_json::to_string(&rep.rejections)?
            ));
        }
        println!("{j}");
        return Ok(());
    }
    let r = &result;
    let n = |k: u64| {
        if survey.is_some() {
            format!(" ({k} responses)")
        } else {
            String::new()
        }
    };
    println!(
        "Round 1, income traced:            {}{}",
        r.inputs.r1,
        n(r.responses.r1)
    );
    println!(
        "Round 2, local staff:              {}{}",
        r.inputs.r2_staff,
        n(r.responses.r2_staff)
    );
    println!(
        "Round 2, local suppliers:          {}{}",
        r.inputs.r2_suppliers,
        n(r.responses.r2_suppliers)
    );
    println!(
        "Round 3, staff re-spend {:>6.1}%:    {}{}",
        r.inputs.r3_staff_share * 100.0,
        r.r3_staff,
        n(r.responses.r3_staff)
    );
    println!(
        "Round 3, supplier re-spend {:>6.1}%: {}{}",
        r.inputs.r3_supplier_share * 100.0,
        r.r3_suppliers,
        n(r.responses.r3_suppliers)
    );
    println!(
        "LM3 = ({} + {} + {}) / {} = {:.4}",
        r.inputs.r1, r.r2, r.r3, r.inputs.r1, r.lm3
    );
    if let Some(rep) = &survey {
        for x in &rep.rejections {
            println!("  line {}, {}: {:?} {}", x.line, x.field, x.value, x.reason);
        }
    }
    Ok(())
}

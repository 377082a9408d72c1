//! The `levers` command: serve the web app, run the demo borough, manage accounts, migrate the database.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use levers_app::credentials as auth;
use levers_store::{Actor, NewUser, Role, Store};
use levers_web::WebConfig;

mod appraisal_cli;
mod contracts_cli;
mod coproduction_cli;
mod demo;
mod geo_cli;
mod indicators_cli;
mod pb_cli;
mod pb_process_cli;
mod place_cli;
mod procurement_cli;
mod progress;
mod spend_analyse_cli;
mod spend_cli;
mod spend_export_cli;
mod spend_import_cli;
mod strategy_cli;

#[derive(Parser, Debug)]
#[command(
    name = "levers",
    version,
    about = "Tools for a council tackling poverty with its procurement, community budgets and co-production."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web app.
    Serve(ServeArgs),
    /// Create or refresh the synthetic demo borough, print a one-time admin password, then serve it.
    Demo(DemoArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Bring the database schema up to date (the web app also does this when it starts).
    Migrate(DbArgs),
    /// Geography: postcodes, areas and deprivation.
    #[command(subcommand)]
    Geo(geo_cli::GeoCommand),
    /// Official indicators (IoD summaries and population, child poverty, claimants, Universal
    /// Credit, fuel poverty): import their published files and read them back by area.
    #[command(subcommand)]
    Indicators(indicators_cli::IndicatorsCommand),
    /// Places: boundaries for maps, where each lever's records are, and the place view of the
    /// council, a ward (its profile) or a neighbourhood.
    #[command(subcommand)]
    Place(place_cli::PlaceCommand),
    /// Participatory budgeting: check Pabulib files, run allocation rules, verify official results.
    #[command(subcommand)]
    Pb(pb_cli::PbCommand),
    /// Community budget votes: list processes, count a closed vote, export its anonymised ballots as
    /// a Pabulib file, make voting codes for a mail merge.
    #[command(subcommand, name = "community-budget")]
    CommunityBudget(pb_process_cli::BudgetCommand),
    /// Council spending files: check them and import them.
    #[command(subcommand)]
    Spend(spend_cli::SpendCommand),
    /// Appraise community-budget interventions: outcomes, public value, who pays and who benefits.
    #[command(subcommand)]
    Appraisal(appraisal_cli::AppraisalCommand),
    /// Co-production: coverage across the register, register CSV, the time-credit ledger, retention.
    #[command(subcommand)]
    Coproduction(coproduction_cli::CoproductionCommand),
    /// The contract pipeline: import contract registers and OCDS notices, list opportunities, match
    /// local suppliers.
    #[command(subcommand)]
    Contracts(contracts_cli::ContractsCommand),
    /// The council's strategy: objectives and measures with status against target, the cabinet
    /// report, and the measures levers computes from its own records.
    #[command(subcommand)]
    Strategy(strategy_cli::StrategyCommand),
}

#[derive(Args, Debug, Clone)]
struct DbArgs {
    /// The database: a SQLite file path (created if missing) or postgres://user:pass@host/db.
    #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
    database: String,
}

#[derive(Args, Debug, Clone)]
struct WebArgs {
    /// Address and port to listen on.
    #[arg(long, env = "LEVERS_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Mark cookies Secure: set this whenever people reach levers over HTTPS (behind a TLS proxy).
    #[arg(long, env = "LEVERS_SECURE_COOKIES")]
    secure_cookies: bool,
    /// The number of reverse proxies you run in front of levers (`--trust-proxy` alone means 1): the
    /// client address is then the one the outermost of them added to X-Forwarded-For. Without it the
    /// header is ignored, and behind a proxy every visitor shares the proxy's address and throttles.
    #[arg(long, env = "LEVERS_TRUST_PROXY", value_name = "N", num_args = 0..=1, default_value_t = 0, default_missing_value = "1", value_parser = proxy_count)]
    trust_proxy: usize,
    /// Largest upload accepted, in megabytes.
    #[arg(long, env = "LEVERS_MAX_UPLOAD_MB", default_value_t = 200)]
    max_upload_mb: usize,
    /// The address residents reach levers at (like https://levers.example.gov.uk), printed on
    /// voting-code sheets.
    #[arg(long, env = "LEVERS_PUBLIC_URL")]
    public_url: Option<String>,
    /// Sign people out after this many hours without activity.
    #[arg(long, env = "LEVERS_SESSION_HOURS", default_value_t = 8)]
    session_hours: i64,
}

/// `--trust-proxy`'s value: a number of proxies, or `true`/`false` as the flag once took (1 and 0).
fn proxy_count(s: &str) -> Result<usize, String> {
    match s.trim() {
        "true" => Ok(1),
        "false" | "" => Ok(0),
        n => n
            .parse()
            .map_err(|_| format!("\"{n}\" is not a number of proxies (0, 1, 2, …)")),
    }
}

impl WebArgs {
    fn config(&self, demo: bool) -> WebConfig {
        WebConfig {
            secure_cookies: self.secure_cookies,
            trust_proxy: self.trust_proxy,
            session_ttl_seconds: self.session_hours.max(1) * 3600,
            max_body_bytes: self.max_upload_mb.max(1) * 1024 * 1024,
            demo,
            public_url: self.public_url.clone(),
            ..WebConfig::default()
        }
    }
}

#[derive(Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    web: WebArgs,
}

#[derive(Args, Debug)]
struct DemoArgs {
    /// The demo database. Kept apart from levers.db so synthetic data never mixes with real data.
    #[arg(long, env = "LEVERS_DEMO_DATABASE", default_value = "levers-demo.db")]
    database: String,
    #[command(flatten)]
    web: WebArgs,
    /// Create or refresh the borough and print the password, but do not serve.
    #[arg(long)]
    no_serve: bool,
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Add an account. The password comes from LEVERS_PASSWORD, or is asked for twice.
    Add {
        #[arg(long)]
        email: String,
        /// admin, officer or viewer.
        #[arg(long)]
        role: Role,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    // Piping into `head` and the like closes stdout early: end quietly, as other Unix tools do,
    // rather than report a panic.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied());
        if msg.is_some_and(|m| m.contains("Broken pipe")) {
            std::process::exit(141);
        }
        default_hook(info);
    }));
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(a) => {
            let store = Store::open(&a.db.database).await?;
            if store.users().await?.is_empty() {
                eprintln!(
                    "note: there are no accounts yet. Add an admin with: levers user add --email YOU@COUNCIL --role admin --database {}",
                    a.db.database
                );
            }
            levers_web::serve(store, a.web.config(false), a.web.bind).await
        }
        Command::Demo(a) => {
            let store = Store::open(&a.database).await?;
            let created = demo::build(&store).await?;
            let url = format!("http://{}/sign-in", a.web.bind);
            println!(
                "levers demo: the synthetic borough of {} is ready in {}",
                demo::COUNCIL,
                a.database
            );
            println!("  Sign in at:        {url}");
            println!("  Email:             {}", created.admin_email);
            println!("  One-time password: {}", created.admin_password);
            println!("  (You will choose your own password when you first sign in.)");
            if a.no_serve {
                return Ok(());
            }
            levers_web::serve(store, a.web.config(true), a.web.bind).await
        }
        Command::User(UserCommand::Add { email, role, db }) => {
            let password = match std::env::var("LEVERS_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    let p = rpassword::prompt_password(format!("Password for {email}: ")).context(
                        "cannot read the password: set LEVERS_PASSWORD or run in a terminal",
                    )?;
                    let again = rpassword::prompt_password("Same password again: ")
                        .context("cannot read the password")?;
                    if p != again {
                        bail!("the two passwords differ: run the command again");
                    }
                    p
                }
            };
            if let Some(problem) = auth::password_problem(&password, &email) {
                bail!("{problem}");
            }
            let store = Store::open(&db.database).await?;
            let user = store
                .create_user(
                    &Actor::system("cli"),
                    NewUser {
                        email,
                        display_name: String::new(),
                        password_hash: auth::hash_password(&password)?,
                        role,
                        must_change_password: false,
                    },
                )
                .await?;
            println!("added {} as {}", user.email, user.role);
            Ok(())
        }
        Command::User(UserCommand::List { db, json }) => {
            let store = Store::open(&db.database).await?;
            let users = store.users().await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "users": users }))?
                );
            } else {
                for u in users {
                    println!(
                        "{}\t{}\t{}",
                        u.email,
                        u.role,
                        if u.disabled { "disabled" } else { "active" }
                    );
                }
            }
            Ok(())
        }
        Command::Geo(cmd) => geo_cli::run(cmd).await,
        Command::Indicators(cmd) => indicators_cli::run(cmd).await,
        Command::Place(cmd) => place_cli::run(cmd).await,
        Command::Pb(cmd) => pb_cli::run(cmd),
        Command::CommunityBudget(cmd) => pb_process_cli::run(cmd).await,
        Command::Spend(cmd) => spend_cli::run(cmd).await,
        Command::Appraisal(cmd) => appraisal_cli::run(cmd).await,
        Command::Coproduction(cmd) => coproduction_cli::run(cmd).await,
        Command::Contracts(cmd) => contracts_cli::run(cmd).await,
        Command::Strategy(cmd) => strategy_cli::run(cmd).await,
        Command::Migrate(db) => {
            let store = Store::connect(&db.database).await?;
            let applied = store.migrate().await?;
            if applied.is_empty() {
                println!(
                    "the database is up to date (schema version {})",
                    store.schema_version().await?
                );
            } else {
                println!(
                    "applied migrations {applied:?}; schema version {}",
                    store.schema_version().await?
                );
            }
            Ok(())
        }
    }
}

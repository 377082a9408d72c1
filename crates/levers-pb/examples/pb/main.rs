//! Stand-alone `levers pb …` driver compiled from the same `pb_cli.rs` the `levers` binary wires in;
//! used to test the CLI and as the benchmark driver.

#[path = "../../../levers/src/pb_cli.rs"]
mod pb_cli;

use clap::Parser;

#[derive(Parser, Debug)]
#[command(name = "levers")]
struct Cli {
    #[command(subcommand)]
    top: Top,
}

#[derive(clap::Subcommand, Debug)]
enum Top {
    /// Participatory budgeting.
    #[command(subcommand)]
    Pb(pb_cli::PbCommand),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let Top::Pb(cmd) = cli.top;
    match pb_cli::run(cmd) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

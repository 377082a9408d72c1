//! Runs `levers_spend::check` on files given as arguments (for benchmarks and quick looks):
//! `spend_check [--json] [--stream] [--map field=Header]... FILE...`. With `--stream` it reads through the
//! streaming API and also owns every transaction, as an importer would.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut json = false;
    let mut stream = false;
    let mut maps = Vec::new();
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--stream" => stream = true,
            "--map" => maps.extend(args.next()),
            _ => files.push(a),
        }
    }
    let opts = match levers_spend::CheckOptions::with_map_specs(&maps) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut failed = false;
    for f in files {
        let bytes = match std::fs::read(&f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{f}: {e}");
                failed = true;
                continue;
            }
        };
        let result = if stream {
            let mut n = 0u64;
            let mut chk = 0i64;
            let r = levers_spend::read_transactions(&f, &bytes, &opts, |t| {
                n += 1;
                chk = chk
                    .wrapping_add(t.amount.pence())
                    .wrapping_add(t.identity().len() as i64);
            });
            if r.is_ok() {
                eprintln!("streamed {n} transactions (checksum {chk})");
            }
            r
        } else {
            levers_spend::check(&f, &bytes, &opts)
        };
        match result {
            Ok(r) if json => println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default()),
            Ok(r) => print!("{}", r.render_text()),
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

//! The `levers` command end to end: migrate, user add and list, demo without serving, and its errors.

use std::process::{Command, Output};

fn levers(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_levers"));
    cmd.args(args).env_remove("LEVERS_PASSWORD").env_remove("LEVERS_DATABASE");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn temp_db(name: &str) -> String {
    let p = std::env::temp_dir().join(format!("levers_cli_{}_{name}.db", std::process::id()));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
    }
    p.display().to_string()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn migrate_then_add_and_list_users() {
    let db = temp_db("users");
    let out = levers(&["migrate", "--database", &db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("applied migrations [1, 2]"));
    let out = levers(&["migrate", "--database", &db], &[]);
    assert!(text(&out.stdout).contains("up to date (schema version 2)"));

    let out = levers(&["user", "add", "--email", "Chief@Council.example", "--role", "admin", "--database", &db], &[("LEVERS_PASSWORD", "a decent passphrase")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "added chief@council.example as admin");

    let out = levers(&["user", "list", "--json", "--database", &db], &[]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["users"][0]["email"], "chief@council.example");
    assert_eq!(v["users"][0]["role"], "admin");
    assert!(!text(&out.stdout).contains("argon2"));

    // Errors: non-zero exit, one clear line.
    let out = levers(&["user", "add", "--email", "chief@council.example", "--role", "viewer", "--database", &db], &[("LEVERS_PASSWORD", "a decent passphrase")]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("already exists"), "{err}");
    let out = levers(&["user", "add", "--email", "x@council.example", "--role", "viewer", "--database", &db], &[("LEVERS_PASSWORD", "short")]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("10 characters"));
    let out = levers(&["user", "add", "--email", "x@council.example", "--role", "mayor", "--database", &db], &[("LEVERS_PASSWORD", "a decent passphrase")]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("admin, officer or viewer"));
    let out = levers(&["migrate", "--database", "postgres://nobody:pw@127.0.0.1:1/none"], &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.starts_with("error: cannot open the database") && !err.contains(":pw@"), "{err}");
}

#[test]
fn demo_creates_a_borough_and_refreshes_the_one_time_password() {
    let db = temp_db("demo");
    let first = levers(&["demo", "--no-serve", "--database", &db], &[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let out = text(&first.stdout);
    assert!(out.contains("Levermouth Borough Council"));
    assert!(out.contains("admin@levermouth.example"));
    let password = |s: &str| s.lines().find_map(|l| l.split("One-time password: ").nth(1)).unwrap().trim().to_string();
    let p1 = password(&out);
    assert_eq!(p1.len(), 23);
    let second = levers(&["demo", "--no-serve", "--database", &db], &[]);
    assert!(second.status.success());
    assert_ne!(password(&text(&second.stdout)), p1, "a refresh issues a new one-time password");
    let out = levers(&["user", "list", "--database", &db], &[]);
    assert_eq!(text(&out.stdout).lines().count(), 1, "refreshing does not duplicate the admin");
}

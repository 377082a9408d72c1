//! Importing the shared Trafford indicator files and the IoD files through the use case gives, for
//! every ward and district, the figures the published files hold (read here independently by
//! column name). Skipped with a message without ../shared; fails under CI=true.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use levers_app::indicators;
use levers_store::Actor;
use levers_store::testing::{postgres_test_url, scratch_postgres, scratch_sqlite};

fn shared_data() -> Option<PathBuf> {
    let base = std::env::var("LEVERS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    if base.join("indicators").is_dir() {
        return Some(base);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but the shared data folder {} is missing",
            base.display()
        );
    }
    eprintln!(
        "NOT RUN: {} is missing (a fresh clone has no ../shared); the real-data indicator tests need it",
        base.display()
    );
    None
}

fn bytes(path: &std::path::Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        return out;
    }
    raw
}

/// Rows of a CSV as maps from header to cell (the test's own reading, not levers').
fn rows(data: &[u8]) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(data);
    let header: Vec<String> = r
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn num(s: &str) -> f64 {
    s.replace(',', "").parse().unwrap()
}

#[tokio::test]
async fn trafford_indicators_and_iod_equal_the_published_files_on_sqlite() {
    let Some(base) = shared_data() else { return };
    let (store, scratch) = scratch_sqlite().await.unwrap();
    trafford(&store, &base).await;
    scratch.remove().await;
}

#[tokio::test]
async fn trafford_indicators_and_iod_equal_the_published_files_on_postgres() {
    let Some(base) = shared_data() else { return };
    let url = match postgres_test_url() {
        Ok(Some(url)) => url,
        Ok(None) => {
            eprintln!(
                "NOT RUN: the PostgreSQL indicator test needs LEVERS_TEST_PG=postgres://… (CI sets it)"
            );
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let (store, scratch) = scratch_postgres(&url).await.unwrap();
    trafford(&store, &base).await;
    scratch.remove().await;
}

async fn trafford(store: &levers_store::Store, base: &std::path::Path) {
    let store = store.clone();
    let actor = Actor::system("test");
    let dir = base.join("indicators");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    names.sort();
    let pop = base.join("geo/imd2019/File_6_-_IoD2019_Population_Denominators.csv.gz");
    names.push(pop.clone());
    for path in &names {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let done = indicators::import_file(&store, &actor, &name, bytes(path))
            .await
            .unwrap();
        assert!(done.report.reconciles(), "{name}");
        assert_eq!(
            done.report.rows_rejected, 0,
            "{name}: {:?}",
            done.report.rejections
        );
    }

    // Every tidy row, by ward and district, is read back with its published value.
    let mut checked_wards = 0;
    let mut checked_districts = 0;
    for path in names.iter().filter(|p| {
        let n = p.file_name().unwrap().to_string_lossy();
        !n.starts_with("iod") && !n.starts_with("File_6")
    }) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let mut by_area: HashMap<String, Vec<indicators::Value>> = HashMap::new();
        for row in rows(&bytes(path)) {
            let code = &row["area_code"];
            if !by_area.contains_key(code) {
                let held = indicators::values_for(&store, code).await.unwrap();
                by_area.insert(code.clone(), held);
            }
            let held = &by_area[code];
            let found = held.iter().find(|v| {
                v.file_name == name
                    && v.period == row["period"]
                    && v.indicator == row["indicator"]
                    && v.measure == row["measure"]
            });
            let found = found.unwrap_or_else(|| panic!("{name}: {row:?} not read back"));
            assert_eq!(found.value, num(&row["value"]), "{name}: {row:?}");
            assert_eq!(found.area_name, row["area_name"]);
            if code.starts_with("E05") {
                checked_wards += 1;
            } else if code.starts_with("E08") || code.starts_with("E06") {
                checked_districts += 1;
            }
        }
    }
    assert!(checked_wards >= 84, "ward figures checked: {checked_wards}");
    assert!(
        checked_districts > 500,
        "district figures checked: {checked_districts}"
    );

    // Trafford ward IMD 2025 (best-fit, Trafford Data Lab): Altrincham's weighted score.
    let alt = indicators::values_for(&store, "E05015239").await.unwrap();
    assert!(
        alt.iter()
            .any(|v| v.indicator == "Index of Multiple Deprivation" && v.value == 5.4)
    );

    // IoD district summaries: every published figure, 2019 and 2025 layouts.
    for (file, code_col, measures) in [
        ("iod2019_lad_summaries.csv", "lad19cd", 6),
        ("iod2025_lad_summaries.csv", "area_code", 6),
    ] {
        let published = rows(&bytes(&dir.join(file)));
        let trafford: Vec<_> = published
            .iter()
            .filter(|r| r[code_col] == "E08000009")
            .collect();
        assert_eq!(trafford.len(), 10, "{file}: Trafford's ten indices");
        let held = indicators::values_for(&store, "E08000009").await.unwrap();
        for r in trafford {
            for (col, label) in [
                ("average_rank", "Average rank"),
                ("rank_average_rank", "Rank of average rank"),
                ("average_score", "Average score"),
                ("rank_average_score", "Rank of average score"),
                (
                    "proportion_bottom_decile",
                    "Proportion of LSOAs in most deprived 10% nationally",
                ),
                (
                    "rank_proportion_bottom_decile",
                    "Rank of proportion of LSOAs in most deprived 10% nationally",
                ),
            ] {
                let v = held
                    .iter()
                    .find(|v| {
                        v.file_name == file
                            && v.indicator == r["index_domain"]
                            && v.measure == label
                    })
                    .unwrap_or_else(|| panic!("{file}: {} {label}", r["index_domain"]));
                assert_eq!(
                    v.value,
                    num(&r[col]),
                    "{file}: {} {label}",
                    r["index_domain"]
                );
            }
        }
        let all = indicators::files(&store).await.unwrap();
        let f = all.iter().find(|f| f.file_name == file).unwrap();
        assert_eq!(f.value_count as usize, published.len() * measures);
    }
    // Published: Trafford's IMD 2019 average score 16.088, rank 191.
    let held = indicators::values_for(&store, "E08000009").await.unwrap();
    assert!(held.iter().any(|v| v.period == "2019"
        && v.indicator == "Index of Multiple Deprivation"
        && v.measure == "Average score"
        && v.value == 16.088));

    // Population denominators: every LSOA's total as published, Trafford's summed.
    let population = indicators::population(&store).await.unwrap();
    let published = rows(&bytes(&pop));
    assert_eq!(population.len(), published.len());
    let mut trafford = 0.0;
    for r in &published {
        let total = num(&r["Total population: mid 2015 (excluding prisoners)"]);
        assert_eq!(population[&r["LSOA code (2011)"]], total);
        if r["Local Authority District code (2019)"] == "E08000009" {
            trafford += total;
        }
    }
    assert!(trafford > 200_000.0 && trafford < 260_000.0, "{trafford}");

    // Re-importing a file replaces it rather than doubling its values.
    let again = indicators::import_file(
        &store,
        &actor,
        "trafford_wards_imd2025.csv",
        bytes(&dir.join("trafford_wards_imd2025.csv")),
    )
    .await
    .unwrap();
    assert_eq!(again.file.value_count, 21);
    let alt = indicators::values_for(&store, "E05015239").await.unwrap();
    assert_eq!(
        alt.iter()
            .filter(|v| v.indicator == "Index of Multiple Deprivation")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_file_of_only_bad_rows_is_refused_naming_line_and_field() {
    let (store, scratch) = scratch_sqlite().await.unwrap();
    let e = indicators::import_file(
        &store,
        &Actor::system("test"),
        "bad.csv",
        b"area_code,area_name,period,indicator,measure,unit,value\nE05000001,A,2024,X,Count,Persons,lots\n".to_vec(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("bad.csv") && e.contains("line 2") && e.contains("value"),
        "{e}"
    );
    assert!(indicators::files(&store).await.unwrap().is_empty());
    scratch.remove().await;
}

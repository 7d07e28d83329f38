//! End-to-end: the `regie` binary on a temporary SQLite file.

mod common;

use common::{ok, regie, repo, tmp};
use std::process::Command;

/// The numbers in the row whose label starts with `label`.
fn row(out: &str, label: &str) -> Vec<u64> {
    let line = out
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no row {label} in\n{out}"));
    line.split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect()
}

#[test]
fn amersfoort_2024_matches_seed_001() {
    let t = tmp("amf");
    let db = t.0.join("r.sqlite");
    ok(&regie(&db, &["init"]));
    let out = ok(&regie(&db, &["region", "load", "regions/amersfoort.toml"]));
    assert!(out.contains("7 municipalities"), "{out}");
    let out = ok(&regie(
        &db,
        &[
            "simulate",
            "--region",
            "regions/amersfoort.toml",
            "--clients",
            "2212",
            "--seed",
            "2024",
        ],
    ));
    assert!(out.contains("simulated 2212 clients"), "{out}");
    let stats = ok(&regie(
        &db,
        &["stats", "--region", "amersfoort", "--year", "2024"],
    ));
    let totals = row(&stats, "Totalen");
    assert_eq!(totals[0], 2212, "{stats}");
    // IN3 + IN4 ≈ 90% of product assignments (seed 001: 2272 of 2527).
    let in3 = row(&stats, "02N03")[0];
    let in4 = row(&stats, "02N04")[0];
    let all: u64 = ["02N01", "02N02", "02N03", "02N04"]
        .iter()
        .map(|p| row(&stats, p)[0])
        .sum();
    let share = (in3 + in4) as f64 / all as f64;
    assert!(
        (0.86..0.94).contains(&share),
        "IN3+IN4 share {share}\n{stats}"
    );
    // Amersfoort ≈ 54% of unique clients (1202 of 2212). Columns: Totaal, Regionaal, then members in code order.
    let header = stats.lines().nth(1).unwrap();
    let cols: Vec<&str> = header.split_whitespace().collect();
    let amf_col = cols.iter().position(|c| *c == "Amersfoort").unwrap();
    let amf = totals[amf_col];
    let amf_share = amf as f64 / 2212.0;
    assert!(
        (0.50..0.58).contains(&amf_share),
        "Amersfoort share {amf_share}\n{stats}"
    );
    // A client with two products counts once: the row totals sum to more than the unique total.
    assert!(all > 2212);

    // Simulating again without --replace is refused and changes nothing.
    let again = regie(
        &db,
        &[
            "simulate",
            "--region",
            "regions/amersfoort.toml",
            "--clients",
            "10",
        ],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--replace"));
    let list = ok(&regie(&db, &["region", "list"]));
    assert!(list.contains("2212 clients"), "{list}");
}

#[test]
fn bad_region_file_names_line_and_field() {
    let t = tmp("bad");
    let good = std::fs::read_to_string(repo().join("regions/meierij.toml")).unwrap();
    // Break the first gemeentecode.
    let (line_no, line) = good
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with("code = \""))
        .expect("a code line");
    let broken = good.replacen(line, &line.replacen("code = \"", "code = \"x", 1), 1);
    let file = t.0.join("broken.toml");
    std::fs::write(&file, broken).unwrap();
    let o = regie(
        &t.0.join("r.sqlite"),
        &["region", "check", file.to_str().unwrap()],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("broken.toml:{}:", line_no + 1)),
        "{err}"
    );
    assert!(err.contains("code"), "{err}");

    let o = regie(
        &t.0.join("r.sqlite"),
        &["region", "load", "no/such/file.toml"],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no/such/file.toml"));
}

#[test]
fn every_seed_region_loads() {
    let t = tmp("all");
    let db = t.0.join("r.sqlite");
    for f in ["amersfoort", "nijmegen", "hart-van-brabant", "meierij"] {
        let out = ok(&regie(
            &db,
            &["region", "load", &format!("regions/{f}.toml")],
        ));
        assert!(out.starts_with("Region "), "{out}");
    }
    let list = ok(&regie(&db, &["region", "list"]));
    assert_eq!(list.lines().count(), 4, "{list}");
    // A region without a population profile still simulates (uniform mix).
    let out = ok(&regie(
        &db,
        &[
            "simulate",
            "--region",
            "regions/meierij.toml",
            "--clients",
            "300",
            "--start",
            "2020-01",
        ],
    ));
    assert!(out.contains("simulated 300 clients"), "{out}");
    let stats = ok(&regie(
        &db,
        &["stats", "--region", "meierij", "--year", "2020"],
    ));
    assert_eq!(row(&stats, "Totalen")[0], 300, "{stats}");
}

#[test]
fn unsupported_database_url_is_a_clear_error() {
    let o = Command::new(env!("CARGO_BIN_EXE_regie"))
        .args(["--db", "mysql://x", "init"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("unsupported database URL"));
}

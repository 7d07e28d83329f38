//! End to end through the built `regie` binary on a temporary SQLite file:
//! load regions, simulate populations, simulate declarations, settle,
//! explain, budget status, tariff calculation, HvB transition.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Db {
    dir: PathBuf,
    url: String,
}

impl Db {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "regie_cli_settle_{name}_{}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("r.sqlite").display());
        Db { dir, url }
    }

    /// Runs `regie` and returns (success, stdout, stderr).
    fn try_run(&self, args: &[&str]) -> (bool, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_regie"))
            .current_dir(root())
            .env("REGIE_DB", &self.url)
            .arg("--quiet")
            .args(args)
            .output()
            .expect("run regie");
        (
            out.status.success(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    fn run(&self, args: &[&str]) -> String {
        let (ok, out, err) = self.try_run(args);
        assert!(ok, "regie {args:?} failed:\n{err}\n{out}");
        out
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The number right after `prefix` in `s`.
fn number_after(s: &str, prefix: &str) -> u64 {
    let i = s
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix:?} not in:\n{s}"))
        + prefix.len();
    s[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number after {prefix:?}"))
}

/// Euro amount in cents from a "€ 1234.56" or "€ -12.30" string.
fn cents(s: &str) -> i64 {
    let t = s.trim().trim_start_matches('€').trim();
    let t = t.split_whitespace().next().expect("amount");
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let (e, c) = t.split_once('.').expect("amount with cents");
    let v = e.parse::<i64>().unwrap() * 100 + c[..2].parse::<i64>().unwrap();
    if neg {
        -v
    } else {
        v
    }
}

/// The settlement report proper: from "Settlement" through "Lines read".
fn report(out: &str) -> String {
    let a = out.find("Settlement ").expect("report");
    let b = out[a..].find("Lines read").expect("stats line") + a;
    let e = out[b..].find('\n').unwrap() + b;
    out[a..=e].to_string()
}

const FEES: [&str; 7] = [
    "02X01", "02X02", "02X03", "07X01", "07X02", "04X01", "04X02",
];

fn meierij_with_fees(db: &Db, clients: &str) {
    db.run(&[
        "simulate",
        "--region",
        "regions/meierij.toml",
        "--clients",
        clients,
        "--months",
        "12",
        "--start",
        "2025-01",
        "--seed",
        "3",
    ]);
    for p in FEES {
        let out = db.run(&[
            "tariff",
            "set",
            "--region",
            "meierij",
            "--product",
            p,
            "--from",
            "2025-01-01",
            "--amount",
            "812.50",
            "--assumption",
            "test fee: the seed gives no Meierij tariffs",
        ]);
        assert!(out.contains("€ 812.50 per unit"), "{out}");
    }
}

#[test]
fn settle_chain_end_to_end() {
    let db = Db::new("chain");
    db.run(&["region", "load", "regions/amersfoort.toml"]);
    db.run(&["region", "load", "regions/meierij.toml"]);
    meierij_with_fees(&db, "400");
    db.run(&[
        "simulate",
        "--region",
        "regions/amersfoort.toml",
        "--clients",
        "300",
        "--months",
        "12",
        "--start",
        "2027-01",
        "--seed",
        "4",
    ]);

    // Declarations for March 2025.
    let declared = db.run(&[
        "declare",
        "simulate",
        "--region",
        "meierij",
        "--month",
        "2025-03",
        "--seed",
        "5",
        "--orphan-per-mille",
        "20",
    ]);
    let lines = number_after(&declared, "declared meierij 2025-03: ");
    let orphans = number_after(&declared, "over volume, ");
    let over = number_after(&declared, "toewijzingen (");
    assert!(lines > 200, "{declared}");
    assert!(orphans > 0 && over > 0, "{declared}");

    // Without --region the choice is ambiguous: a clear error, non-zero exit.
    let (ok, _, err) = db.try_run(&["settle", "--month", "2025-03"]);
    assert!(!ok);
    assert!(err.contains("several regions stored"), "{err}");

    // Settle.
    let out = db.run(&["settle", "--region", "meierij", "--month", "2025-03"]);
    assert_eq!(number_after(&out, "Lines read "), lines, "{out}");
    let s10_line = out
        .lines()
        .find(|l| l.trim_start().starts_with("S10"))
        .expect("S10 reason");
    assert_eq!(
        s10_line
            .split_whitespace()
            .last()
            .unwrap()
            .parse::<u64>()
            .unwrap(),
        orphans
    );
    // Totals: per payer sums to the total; per provider too.
    let total_line = out.lines().find(|l| l.starts_with("Lines read")).unwrap();
    let total = cents(total_line.rsplit("total").next().unwrap());
    assert!(total > 0);
    let section = |name: &str, until: &str| -> i64 {
        let a = out.find(name).unwrap() + name.len();
        let b = out[a..].find(until).unwrap() + a;
        out[a..b]
            .lines()
            .filter(|l| l.contains('€'))
            .map(|l| cents(&l[l.rfind('€').unwrap()..]))
            .sum()
    };
    assert_eq!(section("Per payer:", "\nVolume caps:"), total);
    assert_eq!(section("Per provider:", "\nRejected by reason:"), total);
    // Every over-volume toewijzing is capped by one fee of € 812.50.
    let caps = out.lines().filter(|l| l.contains("S40")).count() as i64;
    assert_eq!(caps, over as i64);
    let capped = total_line
        .split("capped ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    assert_eq!(cents(capped), 81_250 * caps, "{total_line}");
    let hash = out.split("input hash ").nth(1).unwrap()[..16].to_string();

    // Settling again gives the identical report and input hash.
    let again = db.run(&["settle", "--region", "meierij", "--month", "2025-03"]);
    assert_eq!(report(&again), report(&out));
    assert!(again.contains(&format!("input hash {hash}")));

    // Explain a rejected line and a capped toewijzing from the store.
    let rejected_ref = out
        .split("Rejected lines:\n")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let ex = db.run(&[
        "settle",
        "explain",
        "--region",
        "meierij",
        "--month",
        "2025-03",
        "--line",
        &rejected_ref,
    ]);
    assert!(ex.contains("REJECTED S10 unknown toewijzing"), "{ex}");
    let capped_tw = out
        .split("Volume caps:\n")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let ex = db.run(&[
        "settle",
        "explain",
        "--region",
        "meierij",
        "--month",
        "2025-03",
        "--toewijzing",
        &capped_tw,
    ]);
    assert!(ex.contains("rule output_pro_rata_days"), "{ex}");
    assert!(ex.contains("tariff") && ex.contains("€ 812.50"), "{ex}");
    assert!(ex.contains("volume cap S40"), "{ex}");
    assert!(ex.contains("[ASSUMED: test fee"), "{ex}");
    // A full month, two fees declared, one paid.
    assert!(
        ex.contains(&format!(
            "toewijzing {capped_tw} settled € 812.50 in 2025-03"
        )),
        "{ex}"
    );
    let (ok, _, err) = db.try_run(&[
        "settle", "explain", "--region", "meierij", "--month", "2025-04", "--line", "x",
    ]);
    assert!(!ok && err.contains("not settled"), "{err}");

    // Budget status: no Meierij budget in the seeds; one set by hand, far too low.
    db.run(&[
        "budget",
        "set",
        "--region",
        "meierij",
        "--gemeente",
        "0796",
        "--lot",
        "1a-individuele-begeleiding",
        "--year",
        "2025",
        "--amount",
        "1000",
    ]);
    let st = db.run(&["budget", "status", "--region", "meierij", "--year", "2025"]);
    assert!(st.contains("as of 2025-03 (3 closed months)"), "{st}");
    assert!(
        st.contains("ALERT 0796 1a-individuele-begeleiding: forecast"),
        "{st}"
    );
    let tot = st.lines().find(|l| l.starts_with("total")).unwrap();
    let amounts: Vec<i64> = tot.split('€').skip(1).map(cents).collect();
    assert_eq!(amounts[0], 100_000, "budget total {tot}");
    assert_eq!(amounts[2], total, "declared = settled total: {tot}");
    assert_eq!(amounts[3], 0, "nothing paid yet");
    db.run(&[
        "settle",
        "pay",
        "--region",
        "meierij",
        "--month",
        "2025-03",
        "--on",
        "2025-04-15",
    ]);
    let st = db.run(&["budget", "status", "--region", "meierij", "--year", "2025"]);
    let tot = st.lines().find(|l| l.starts_with("total")).unwrap();
    let amounts: Vec<i64> = tot.split('€').skip(1).map(cents).collect();
    assert_eq!(amounts[3], total, "paid once marked: {tot}");

    // Amersfoort begeleiding is taakgericht: a month is one lumpsum instalment.
    let out = db.run(&["settle", "--region", "amersfoort", "--month", "2027-03"]);
    assert!(
        out.contains("lumpsum € 1500000.00; total € 1500000.00"),
        "{out}"
    );
    let st = db.run(&[
        "budget",
        "status",
        "--region",
        "amersfoort",
        "--year",
        "2027",
    ]);
    let tot = st.lines().find(|l| l.starts_with("total")).unwrap();
    let amounts: Vec<i64> = tot.split('€').skip(1).map(cents).collect();
    // 18 mln lumpsum + reference costs 14.7 mln + 460k + 240k held flat.
    assert_eq!(amounts[0], 3_340_000_000, "{st}");
    assert_eq!(amounts[2], 150_000_000, "{st}");
    assert!(st.contains("derived: lumpsum contracts 2027"), "{st}");

    // Tariff calculation and the Hart van Brabant transition table.
    let calc = db.run(&[
        "tariff",
        "calc",
        "crates/regie-settlement/examples/tariff-begeleiding.toml",
    ]);
    assert!(calc.contains("Hourly tariff: € 72.28"), "{calc}");
    assert!(calc.contains("1. weighted cost per paid hour"), "{calc}");
    let (ok, _, err) = db.try_run(&["tariff", "calc", "does-not-exist.toml"]);
    assert!(!ok && err.contains("does-not-exist.toml"), "{err}");
    let tr = db.run(&["budget", "transition"]);
    assert!(
        tr.contains("2025      € 26360333.00    € 19534787.00    € 45895120.00     42.56%"),
        "{tr}"
    );
}

#[test]
fn transition_shares_from_simulated_hart_van_brabant() {
    let db = Db::new("hvb");
    db.run(&[
        "simulate",
        "--region",
        "regions/hart-van-brabant.toml",
        "--clients",
        "300",
        "--months",
        "12",
        "--start",
        "2025-01",
        "--seed",
        "2",
    ]);
    let tr = db.run(&["budget", "transition", "--year", "2025"]);
    assert!(
        tr.contains("12 of 12 years match the reproduced table"),
        "{tr}"
    );
    assert!(tr.contains("Objective budget 2025 € 19534787.00"), "{tr}");
    let rows: Vec<&str> = tr
        .split("difference\n")
        .nth(1)
        .unwrap()
        .lines()
        .filter(|l| l.contains('€'))
        .collect();
    assert!(rows.len() >= 2, "{tr}");
    // Objective parts sum exactly to the objective budget.
    let sum: i64 = rows
        .iter()
        .map(|l| {
            let parts: Vec<&str> = l.split('€').collect();
            cents(parts[2])
        })
        .sum();
    assert_eq!(sum, 1_953_478_700);
}

#[test]
fn small_settlement_report_snapshot() {
    let db = Db::new("snap");
    db.run(&["region", "load", "regions/meierij.toml"]);
    meierij_with_fees(&db, "12");
    db.run(&[
        "declare",
        "simulate",
        "--month",
        "2025-06",
        "--seed",
        "9",
        "--over-volume-pct",
        "30",
        "--orphan-per-mille",
        "100",
    ]);
    let out = db.run(&["settle", "--month", "2025-06"]);
    insta::assert_snapshot!(report(&out));
}

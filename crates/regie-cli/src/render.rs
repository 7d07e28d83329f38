//! Plain-text rendering of reports.

use regie_domain::{FundingVariant, PayerRule, ProcurementForm};
use regie_regions::RegionFile;
use regie_store::{StatsCell, UniqueClientTable};
use std::fmt::Write;

/// One-screen summary of a region file.
pub fn region_summary(rf: &RegionFile) -> String {
    let mut s = String::new();
    let r = &rf.region;
    let _ = writeln!(
        s,
        "Region {} ({}): {} municipalities",
        r.name(),
        r.id(),
        r.municipalities().len()
    );
    for m in r.municipalities() {
        let centrum = if Some(m.code) == r.centrumgemeente() {
            "  [centrumgemeente]"
        } else {
            ""
        };
        let _ = writeln!(s, "  {} {}{}", m.code, m.name, centrum);
    }
    for lot in &rf.lots {
        let form = match &lot.procurement {
            ProcurementForm::OpenHouse { entry_every_months } => {
                format!("open house, entry every {entry_every_months} months")
            }
            ProcurementForm::SelectedPartners { max_partners } => {
                format!("selected partners (max {max_partners})")
            }
            ProcurementForm::SingleConsortium => "single consortium / hoofdaannemer".to_string(),
        };
        let funding = match lot.funding {
            FundingVariant::Inspanningsgericht => "inspanningsgericht",
            FundingVariant::Outputgericht => "outputgericht",
            FundingVariant::Taakgericht => "taakgericht",
        };
        let payer = match lot.payer {
            PayerRule::Woonplaatsbeginsel => "woonplaatsbeginsel".to_string(),
            PayerRule::Centrumgemeente { gemeente } => format!("centrumgemeente {gemeente}"),
        };
        let _ = writeln!(
            s,
            "  lot {}: {} — {form}; {funding}; {payer}; {} products",
            lot.id,
            lot.name,
            lot.products.len()
        );
    }
    let _ = write!(
        s,
        "  {} providers, {} contracts, {} assumptions marked",
        rf.providers.len(),
        rf.contracts.len(),
        rf.assumptions().len()
    );
    s
}

fn pct(n: u64, d: u64) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.1}%", n as f64 * 100.0 / d as f64)
    }
}

/// The unique-client table in the layout of seed 001, with the seed's own
/// figures scaled to the simulated size where the region file has them.
pub fn stats_table(t: &UniqueClientTable, rf: &RegionFile) -> String {
    let mut s = String::new();
    let mut cols: Vec<(String, StatsCell)> = vec![
        ("Totaal".into(), StatsCell::Total),
        ("Regionaal".into(), StatsCell::Regional),
    ];
    for (code, name) in &t.municipalities {
        cols.push((name.clone(), StatsCell::Municipality(*code)));
    }
    cols.push(("Buiten regio".into(), StatsCell::OutsideRegion));
    let name_of = |key: &str| -> String {
        rf.lots
            .iter()
            .flat_map(|l| l.products.iter())
            .find(|p| p.key() == key)
            .map(|p| format!("{key} {}", p.name()))
            .unwrap_or_else(|| key.to_string())
    };
    let label_w = t
        .products
        .iter()
        .map(|p| name_of(p).chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(
        s,
        "Unique clients with care in {} — region {} (distinct counts: totals are not sums)",
        t.period, t.region_id
    );
    let _ = write!(s, "{:label_w$}", "");
    for (c, _) in &cols {
        let _ = write!(s, " {:>12}", c);
    }
    s.push('\n');
    let row = |s: &mut String, label: String, product: Option<&str>| {
        let _ = write!(s, "{label:label_w$}");
        for (_, cell) in &cols {
            let _ = write!(s, " {:>12}", t.get(product, *cell));
        }
        s.push('\n');
    };
    for p in &t.products {
        row(&mut s, name_of(p), Some(p));
    }
    row(&mut s, "Totalen".into(), None);

    let total = t.get(None, StatsCell::Total);
    let assignments: u64 = t
        .products
        .iter()
        .map(|p| t.get(Some(p), StatsCell::Total))
        .sum();
    let _ = writeln!(
        s,
        "\nShare of product assignments per product (sum of row totals = {assignments}):"
    );
    for p in &t.products {
        let _ = writeln!(
            s,
            "  {:label_w$} {:>7}",
            name_of(p),
            pct(t.get(Some(p), StatsCell::Total), assignments)
        );
    }
    let _ = writeln!(s, "Share of unique clients per municipality (of {total}):");
    for (code, name) in &t.municipalities {
        let _ = writeln!(
            s,
            "  {:label_w$} {:>7}",
            name,
            pct(t.get(None, StatsCell::Municipality(*code)), total)
        );
    }

    if let Some(p) = &rf.population {
        let scale = if p.unique_total == 0 {
            0.0
        } else {
            total as f64 / f64::from(p.unique_total)
        };
        let _ = writeln!(
            s,
            "\nSeed reference: {} (peiljaar {}), scaled ×{scale:.3} to this population:",
            p.source, p.year
        );
        let _ = writeln!(
            s,
            "  {:label_w$} {:>10} {:>10} {:>8}",
            "", "seed", "expected", "actual"
        );
        for pp in &p.products {
            let want = f64::from(pp.unique_total) * scale;
            let got = t.get(Some(&pp.product), StatsCell::Total);
            let _ = writeln!(
                s,
                "  {:label_w$} {:>10} {:>10.0} {:>8}",
                name_of(&pp.product),
                pp.unique_total,
                want,
                got
            );
        }
        for (code, name) in &t.municipalities {
            if let Some(n) = p.municipality_totals.get(code) {
                let got = t.get(None, StatsCell::Municipality(*code));
                let _ = writeln!(
                    s,
                    "  {:label_w$} {:>10} {:>10.0} {:>8}",
                    name,
                    n,
                    f64::from(*n) * scale,
                    got
                );
            }
        }
        let _ = writeln!(
            s,
            "  {:label_w$} {:>10} {:>10.0} {:>8}",
            "Totalen",
            p.unique_total,
            f64::from(p.unique_total) * scale,
            total
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use regie_domain::{Gemeentecode, Period};
    use std::collections::BTreeMap;

    #[test]
    fn stats_table_layout() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../regions/amersfoort.toml");
        let rf = regie_regions::load_file(std::path::Path::new(path)).unwrap();
        let amf: Gemeentecode = "0307".parse().unwrap();
        let soest: Gemeentecode = "0342".parse().unwrap();
        let mut counts = BTreeMap::new();
        let mut put = |p: Option<&str>, c: StatsCell, n: u64| {
            counts.insert((p.map(str::to_string), c), n);
        };
        // Three clients: one with IN3 and IN4 in Amersfoort, one IN3 who moved
        // Amersfoort → Soest, one IN4 outside the region.
        put(Some("02N03"), StatsCell::Total, 2);
        put(Some("02N03"), StatsCell::Regional, 2);
        put(Some("02N03"), StatsCell::Municipality(amf), 2);
        put(Some("02N03"), StatsCell::Municipality(soest), 1);
        put(Some("02N04"), StatsCell::Total, 2);
        put(Some("02N04"), StatsCell::Regional, 1);
        put(Some("02N04"), StatsCell::Municipality(amf), 1);
        put(Some("02N04"), StatsCell::OutsideRegion, 1);
        put(None, StatsCell::Total, 3);
        put(None, StatsCell::Regional, 2);
        put(None, StatsCell::Municipality(amf), 2);
        put(None, StatsCell::Municipality(soest), 1);
        put(None, StatsCell::OutsideRegion, 1);
        let t = UniqueClientTable {
            region_id: "amersfoort".into(),
            period: Period::new(
                chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                chrono::NaiveDate::from_ymd_opt(2024, 12, 31),
            )
            .unwrap(),
            municipalities: rf
                .region
                .municipalities()
                .iter()
                .map(|m| (m.code, m.name.clone()))
                .collect(),
            products: vec!["02N03".into(), "02N04".into()],
            counts,
        };
        let out = stats_table(&t, &rf);
        assert!(out.contains("Totalen"));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn region_summaries() {
        for f in ["amersfoort", "hart-van-brabant", "meierij", "nijmegen"] {
            let path = format!("{}/../../regions/{f}.toml", env!("CARGO_MANIFEST_DIR"));
            let rf = regie_regions::load_file(std::path::Path::new(&path)).unwrap();
            insta::assert_snapshot!(format!("summary_{f}"), region_summary(&rf));
        }
    }
}

//! The four seed regions load and carry the seeds' key figures.

use regie_domain::{FundingVariant, Gemeentecode, PayerRule, ProcurementForm};
use regie_regions::{load_file, RegionFile};
use std::path::PathBuf;

fn region(name: &str) -> RegionFile {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../regions")
        .join(format!("{name}.toml"));
    match load_file(&path) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

fn g(s: &str) -> Gemeentecode {
    s.parse().unwrap()
}

#[test]
fn amersfoort() {
    let r = region("amersfoort");
    assert_eq!(r.region.municipalities().len(), 7);
    assert_eq!(r.region.centrumgemeente(), Some(g("0307")));
    assert_eq!(r.region.municipality_name(g("0267")), Some("Nijkerk"));
    assert_eq!(r.lots.len(), 4);
    let beg = r.lot("begeleiding").unwrap();
    assert_eq!(beg.procurement, ProcurementForm::SingleConsortium);
    assert_eq!(beg.funding, FundingVariant::Taakgericht);
    assert_eq!(
        beg.reference_cost.as_ref().unwrap().amount.cents(),
        1_800_000_000
    );
    assert_eq!(beg.product("02N03").unwrap().level(), Some("IN3"));
    let bw = r.lot("beschermd-wonen").unwrap();
    assert_eq!(
        bw.procurement,
        ProcurementForm::SelectedPartners { max_partners: 5 }
    );
    assert_eq!(
        bw.payer,
        PayerRule::Centrumgemeente {
            gemeente: g("0307")
        }
    );
    assert_eq!(
        bw.reference_cost.as_ref().unwrap().amount.cents(),
        1_470_000_000
    );
    assert_eq!(
        r.lot("safehouse")
            .unwrap()
            .reference_cost
            .as_ref()
            .unwrap()
            .amount
            .cents(),
        46_000_000
    );
    assert_eq!(
        r.lot("respijtverblijf").unwrap().payer,
        PayerRule::Woonplaatsbeginsel
    );
    assert_eq!(r.contracts_on("beschermd-wonen").count(), 5);
    for c in &r.contracts {
        assert_eq!(c.start.to_string(), "2027-01-01");
        assert_eq!(c.max_years(), Some(9));
        assert_eq!(c.max_end().to_string(), "2035-12-31");
    }
    let pop = r.population.as_ref().unwrap();
    assert_eq!((pop.year, pop.unique_total), (2024, 2212));
    assert_eq!(pop.unique_in_region, Some(2157));
    assert_eq!(pop.unique_outside_region, Some(55));
    let totals: Vec<u32> = pop.municipality_totals.values().copied().collect();
    // BTreeMap order by code: 0307 Amersfoort, 0308 Baarn, 0313 Bunschoten, 0327 Leusden, 0342 Soest, 0351 Woudenberg.
    assert_eq!(totals, vec![1202, 212, 134, 232, 345, 60]);
    assert!(!pop.municipality_totals.contains_key(&g("0267")));
    let in3 = pop.products.iter().find(|p| p.product == "02N03").unwrap();
    assert_eq!(in3.unique_total, 1226);
    assert_eq!(in3.by_municipality[&g("0307")], 655);
    assert_eq!(in3.outside_region, 30);
    assert_eq!(in3.mean_age.unwrap().to_string(), "44");
    let ages: Vec<String> = pop
        .products
        .iter()
        .map(|p| p.mean_age.unwrap().to_string())
        .collect();
    assert_eq!(ages, ["37", "45", "44", "42"]);
    assert_eq!(
        r.deadline("safehouse-max-stay").unwrap().span,
        regie_regions::Span::Years(1)
    );
    // Every invented figure is listed.
    let a = r.assumptions();
    assert!(a.iter().any(|(p, _)| p == "contracts[0].lumpsum"));
    assert!(a
        .iter()
        .any(|(p, t)| p == "lots[0].products[4]" && t.contains("02X01")));
    for (info, p) in r.provider_info.values().zip(&r.providers) {
        assert!(info.placeholder, "{} should be marked placeholder", p.name);
    }
}

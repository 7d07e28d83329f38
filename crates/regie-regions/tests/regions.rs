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

#[test]
fn hart_van_brabant() {
    let r = region("hart-van-brabant");
    assert_eq!(r.region.municipalities().len(), 11);
    assert_eq!(r.region.municipality_name(g("1723")), Some("Alphen-Chaam"));
    let joins: Vec<_> = r
        .membership
        .iter()
        .filter_map(|m| m.member_from.map(|d| (m.gemeente, d.to_string())))
        .collect();
    assert_eq!(
        joins,
        vec![
            (g("1723"), "2023-01-01".to_string()),
            (g("0744"), "2023-01-01".to_string())
        ]
    );
    assert_eq!(r.lots.len(), 1);
    let lot = &r.lots[0];
    assert_eq!(lot.funding, FundingVariant::Taakgericht);
    assert_eq!(lot.procurement, ProcurementForm::SingleConsortium);
    let info = r.lot_info("beschermd-wonen").unwrap();
    assert_eq!(info.payer_changes[0].payer, PayerRule::Woonplaatsbeginsel);
    assert_eq!(info.payer_changes[0].from.to_string(), "2023-01-01");

    let c = &r.contracts[0];
    assert_eq!(c.start.to_string(), "2022-07-01");
    assert_eq!(c.period().end().unwrap().to_string(), "2026-06-30");
    assert_eq!(c.max_end().to_string(), "2030-06-30");
    assert_eq!(c.remaining_options(), &[2, 2]);
    let terms = c.lumpsum.as_ref().unwrap();
    assert_eq!(terms.client_bandwidth, (665, 735));
    let bw = regie_domain::Bandwidth::Within;
    assert_eq!(terms.bandwidth_status(665), bw);
    assert_eq!(terms.bandwidth_status(735), bw);
    assert_eq!(
        terms.bandwidth_status(664),
        regie_domain::Bandwidth::Below { by: 1 }
    );
    assert_eq!(terms.budget_for(2023).unwrap().cents(), 700 * 455_800 * 12);

    let t1 = r.budget_table("tabel-1").unwrap();
    let years: Vec<i32> = t1.rows.iter().map(|r| r.year).collect();
    assert_eq!(years, (2021..=2032).collect::<Vec<_>>());
    let totals: Vec<i64> = t1.rows.iter().map(|r| r.total.cents() / 100).collect();
    assert_eq!(
        totals,
        vec![
            49_596_975, 50_004_284, 48_635_554, 47_265_337, 45_895_120, 44_524_903, 43_154_686,
            41_784_469, 40_414_252, 39_044_035, 37_673_818, 36_303_601
        ]
    );
    assert_eq!(t1.row(2023).unwrap().objective.cents(), 316_341_100);
    assert_eq!(t1.row(2030).unwrap().historic.cents(), 59_264_800);
    assert_eq!(
        r.figure("avg-cost-per-client-month")
            .unwrap()
            .value
            .to_string(),
        "4558.00"
    );
    assert_eq!(
        r.deadline("perspectiefplan").unwrap().span,
        regie_regions::Span::Weeks(6)
    );
    assert_eq!(
        r.deadline("plaatsing").unwrap().span,
        regie_regions::Span::Months(6)
    );
    assert_eq!(r.population.as_ref().unwrap().unique_total, 1068);
    assert!(r.gaps.iter().any(|g| g.what.contains("Tabel 2")));
}

#[test]
fn meierij() {
    let r = region("meierij");
    assert_eq!(r.region.municipalities().len(), 3);
    assert_eq!(r.region.centrumgemeente(), None);
    assert!(r.region.is_member(g("0865")) && !r.region.is_member(g("0788")));
    assert_eq!(r.lots.len(), 3);
    let mut categories = 0;
    for lot in &r.lots {
        assert_eq!(
            lot.procurement,
            ProcurementForm::OpenHouse {
                entry_every_months: 6
            }
        );
        assert_eq!(lot.funding, FundingVariant::Outputgericht);
        assert_eq!(lot.payer, PayerRule::Woonplaatsbeginsel);
        for p in &lot.products {
            assert_eq!(p.unit(), regie_domain::Unit::StuksOutput);
            categories += 1;
        }
    }
    assert_eq!(categories, 7);
    let levels: Vec<&str> = r.lots[0]
        .products
        .iter()
        .filter_map(|p| p.level())
        .collect();
    assert_eq!(levels, ["Waakvlam", "Basis", "Extra"]);
    let c = r.contracts.iter().find(|c| c.id == "1a-cello").unwrap();
    assert_eq!(c.period().end().unwrap().to_string(), "2021-12-31");
    assert_eq!(c.max_end().to_string(), "2029-12-31");
    assert_eq!(r.contract_info[0].tacit_yearly_extensions, 8);
    let entry = r.lots[0]
        .procurement
        .next_entry_date(c.start, "2020-03-15".parse().unwrap());
    assert_eq!(entry.unwrap().to_string(), "2020-07-01");
    let pop = r.population.as_ref().unwrap();
    assert_eq!(pop.municipality_totals[&g("0796")], 1751);
    assert!(r
        .assumptions()
        .iter()
        .any(|(p, _)| p == "population.unique_total"));
    assert_eq!(r.figure("providers-total").unwrap().value, 30.into());
}

#[test]
fn nijmegen() {
    let r = region("nijmegen");
    assert_eq!(r.region.municipalities().len(), 13);
    assert_eq!(r.region.centrumgemeente(), Some(g("0268")));
    let rvn = r
        .subregions
        .iter()
        .find(|s| s.id == "rijk-van-nijmegen")
        .unwrap();
    assert_eq!(rvn.municipalities.len(), 7);
    let bw = r.lot("beschermd-wonen").unwrap();
    assert_eq!(
        bw.payer,
        PayerRule::Centrumgemeente {
            gemeente: g("0268")
        }
    );
    assert_eq!(
        r.lot_info("beschermd-wonen").unwrap().municipalities.len(),
        13
    );
    assert_eq!(
        bw.reference_cost.as_ref().unwrap().amount.cents(),
        2_660_000_000
    );
    let amb = r.lot_info("ambulant").unwrap();
    assert_eq!(amb.municipalities, rvn.municipalities);
    assert!(!amb.municipalities.contains(&g("0281")));
    assert_eq!(
        r.lot("ambulant")
            .unwrap()
            .reference_cost
            .as_ref()
            .unwrap()
            .amount
            .cents(),
        2_330_000_000
    );
    assert_eq!(
        r.reference_cost("ambulant-totaal")
            .unwrap()
            .cost
            .amount
            .cents(),
        2_740_000_000
    );
    let old: Vec<_> = r
        .contracts
        .iter()
        .filter(|c| c.id.starts_with("bw-2021"))
        .collect();
    assert_eq!(old.len(), 9);
    for c in old {
        assert_eq!(c.max_end().to_string(), "2024-12-31");
    }
    assert_eq!(
        r.contracts
            .iter()
            .filter(|c| c.start.to_string() == "2025-01-01" && c.lot_id == "beschermd-wonen")
            .count(),
        9
    );
    assert_eq!(r.population.as_ref().unwrap().unique_total, 1009);
    let f = r.figure("bw-clients-2024-01-01").unwrap();
    assert_eq!(
        (f.value, f.date.unwrap().to_string()),
        (730.into(), "2024-01-01".to_string())
    );
}

#[test]
fn summaries() {
    for name in ["amersfoort", "nijmegen", "hart-van-brabant", "meierij"] {
        insta::assert_snapshot!(name, region(name).summary());
    }
}

#[test]
fn assumptions_are_listed_with_paths() {
    let r = region("hart-van-brabant");
    let a = r.assumptions();
    let paths: Vec<&str> = a.iter().map(|(p, _)| p.as_str()).collect();
    assert!(paths.contains(&"lots[0].products[0].tariffs[0]"));
    assert!(paths.contains(&"contracts[0].lumpsum"));
    assert!(a.iter().all(|(_, t)| !t.trim().is_empty()));
}

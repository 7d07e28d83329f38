use super::*;
use std::collections::{BTreeSet, HashMap};

fn amersfoort() -> regie_regions::RegionFile {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../regions/amersfoort.toml");
    regie_regions::load_file(std::path::Path::new(path)).expect("amersfoort region file loads")
}

fn contracts(rf: &regie_regions::RegionFile) -> BTreeMap<String, Vec<AgbCode>> {
    let mut m: BTreeMap<String, Vec<AgbCode>> = BTreeMap::new();
    for c in &rf.contracts {
        m.entry(c.lot_id.clone())
            .or_default()
            .push(c.party.addressee());
    }
    m
}

fn cfg(clients: u64, seed: u64) -> SimConfig {
    SimConfig {
        clients,
        start: YearMonth::new(2024, 1).unwrap(),
        months: 12,
        seed,
    }
}

#[test]
fn same_seed_same_population() {
    let rf = amersfoort();
    let c = contracts(&rf);
    let a: Vec<_> = Generator::new(
        &rf.region,
        &rf.lots,
        &c,
        rf.population.as_ref(),
        cfg(200, 42),
    )
    .unwrap()
    .map(|g| (g.client.bsn(), g.client.birth_date(), g.toewijzingen.len()))
    .collect();
    let b: Vec<_> = Generator::new(
        &rf.region,
        &rf.lots,
        &c,
        rf.population.as_ref(),
        cfg(200, 42),
    )
    .unwrap()
    .map(|g| (g.client.bsn(), g.client.birth_date(), g.toewijzingen.len()))
    .collect();
    assert_eq!(a, b);
    let other: Vec<_> = Generator::new(
        &rf.region,
        &rf.lots,
        &c,
        rf.population.as_ref(),
        cfg(200, 43),
    )
    .unwrap()
    .map(|g| (g.client.bsn(), g.client.birth_date(), g.toewijzingen.len()))
    .collect();
    assert_ne!(a, other);
}

#[test]
fn generated_care_is_valid_and_overlaps_horizon() {
    let rf = amersfoort();
    let c = contracts(&rf);
    let g = Generator::new(
        &rf.region,
        &rf.lots,
        &c,
        rf.population.as_ref(),
        cfg(3000, 7),
    )
    .unwrap();
    let horizon = g.horizon();
    let mut bsns = BTreeSet::new();
    for gc in g {
        assert!(bsns.insert(gc.client.bsn()), "unique BSN");
        let mut book = regie_domain::ToewijzingBook::new();
        let by_id: HashMap<_, _> = gc.beschikkingen.iter().map(|b| (b.id.clone(), b)).collect();
        for (t, _, gemeente) in &gc.toewijzingen {
            assert!(
                t.period.overlaps(&horizon)
                    || t.period.end() < Some(horizon.start())
                    || t.id.ends_with('v')
            );
            book.add(t.clone(), by_id[&t.beschikking_id])
                .expect("valid, no overlap");
            // Filed under the residence on the toewijzing's first day.
            assert_eq!(*gemeente, gc.client.municipality_on(t.period.start()));
        }
        // The synthetic address lies in the gemeente lived in at the end.
        let last = gc.client.residences().last().unwrap().gemeente;
        let plaats = rf
            .region
            .municipalities()
            .iter()
            .find(|m| m.code == last)
            .map_or("Utrecht", |m| m.name.as_str());
        assert_eq!(gc.persoonsgegevens.adres.plaatsnaam.as_str(), plaats);
        let age = gc.client.age_on(horizon.start());
        assert!(
            (MIN_AGE as u32..=MAX_AGE as u32 + 1).contains(&age),
            "age {age}"
        );
    }
}

#[test]
fn calibrated_to_seed_001_table() {
    // Scaled to the seed's size, the product and municipality mix matches the table.
    let rf = amersfoort();
    let c = contracts(&rf);
    let profile = rf.population.as_ref().expect("amersfoort has a population");
    let n = 22_120; // ten times the seed population: tighter sampling error
    let g = Generator::new(&rf.region, &rf.lots, &c, Some(profile), cfg(n, 2024)).unwrap();
    let mut per_product: HashMap<String, BTreeSet<Bsn>> = HashMap::new();
    let mut per_muni: HashMap<Gemeentecode, BTreeSet<Bsn>> = HashMap::new();
    let mut ages: HashMap<String, (i64, i64)> = HashMap::new();
    for gc in g {
        for (t, _, gem) in &gc.toewijzingen {
            per_product
                .entry(t.product.key())
                .or_default()
                .insert(t.client);
            per_muni.entry(*gem).or_default().insert(t.client);
        }
        let first = gc.toewijzingen[0].0.product.key();
        let e = ages.entry(first).or_default();
        e.0 += i64::from(
            gc.client
                .age_on(YearMonth::new(2024, 1).unwrap().first_day()),
        );
        e.1 += 1;
    }
    let scale = n as f64 / f64::from(profile.unique_total);
    for p in &profile.products {
        let got = per_product.get(&p.product).map_or(0, |s| s.len()) as f64 / scale;
        let want = f64::from(p.unique_total);
        let tol = 0.08 * want + 8.0;
        assert!(
            (got - want).abs() <= tol,
            "{}: got {got:.0}, want {want}",
            p.product
        );
        if let Some(mean) = p.mean_age {
            let (sum, cnt) = ages[&p.product];
            let got_age = sum as f64 / cnt as f64;
            let want_age: f64 = mean.to_string().parse().unwrap();
            assert!(
                (got_age - want_age).abs() < 2.5,
                "{} age {got_age:.1} vs {want_age}",
                p.product
            );
        }
    }
    for (g, want) in &profile.municipality_totals {
        let got = per_muni.get(g).map_or(0, |s| s.len()) as f64 / scale;
        let want = f64::from(*want);
        assert!(
            (got - want).abs() <= 0.08 * want + 8.0,
            "{g}: got {got:.0}, want {want}"
        );
    }
}

#[test]
fn config_errors() {
    let rf = amersfoort();
    let c = contracts(&rf);
    let mut bad = cfg(1, 1);
    bad.months = 0;
    assert_eq!(
        Generator::new(&rf.region, &rf.lots, &c, rf.population.as_ref(), bad).unwrap_err(),
        SimError::NoMonths
    );
    let err = Generator::new(
        &rf.region,
        &rf.lots,
        &BTreeMap::new(),
        rf.population.as_ref(),
        cfg(1, 1),
    )
    .unwrap_err();
    assert!(matches!(err, SimError::NoProvider(_)));
}

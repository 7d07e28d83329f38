//! Store behaviour, run against every available backend.

mod common;

use chrono::NaiveDate;
use common::{amersfoort, backends};
use regie_domain::*;
use regie_store::{RegionInput, SimBatch, StatsCell, Store, StoreError, ToewijzingRow};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn load_amersfoort(store: &Store) -> regie_regions::RegionFile {
    let (rf, text) = amersfoort();
    store
        .save_region(
            RegionInput {
                region: &rf.region,
                source_file: "regions/amersfoort.toml",
                document: &text,
                providers: &rf.providers,
                lots: &rf.lots,
                contracts: &rf.contracts,
            },
            "test",
        )
        .await
        .unwrap();
    rf
}

fn product(code: &str) -> ProductRef {
    ProductRef {
        categorie: "02".parse().unwrap(),
        code: Some(code.parse().unwrap()),
    }
}

fn beschikking(id: &str, bsn: Bsn, code: &str, start: NaiveDate, end: NaiveDate) -> Beschikking {
    Beschikking {
        id: id.into(),
        client: bsn,
        aard: "Ambulante begeleiding".into(),
        product: product(code),
        intensiteit: Some(Omvang {
            volume: 3,
            unit: Unit::Hour,
            frequentie: Frequentie::PerWeek,
        }),
        duur: Period::new(start, Some(end)).unwrap(),
        decided_on: start,
        motivation: "m".into(),
        rechtsmiddelen: "r".into(),
    }
}

fn toewijzing(
    id: &str,
    b: &Beschikking,
    agb: AgbCode,
    gemeente: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> ToewijzingRow {
    ToewijzingRow {
        toewijzing: Toewijzing {
            id: id.into(),
            beschikking_id: b.id.clone(),
            client: b.client,
            provider: agb,
            product: b.product,
            scope: Scope::Volume(b.intensiteit.unwrap()),
            period: Period::new(start, Some(end)).unwrap(),
            reden_wijziging: None,
        },
        lot_id: "begeleiding".into(),
        gemeente: gemeente.parse().unwrap(),
    }
}

fn bsn(n: u32) -> Bsn {
    (n..).find_map(Bsn::complete).unwrap()
}

#[tokio::test]
async fn migrations_are_idempotent() {
    for db in backends().await {
        assert_eq!(
            db.store.schema_version().await.unwrap(),
            Store::known_migrations(),
            "{}",
            db.name
        );
        assert!(Store::known_migrations() >= 1);
    }
    // Re-opening an existing SQLite file re-runs nothing.
    let dir = std::env::temp_dir().join(format!("regie_mig_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("m.sqlite").display());
    Store::open(&url).await.unwrap().close().await;
    let s = Store::open(&url).await.unwrap();
    assert_eq!(s.schema_version().await.unwrap(), Store::known_migrations());
    s.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn region_roundtrip_and_reload_replaces() {
    for db in backends().await {
        let rf = load_amersfoort(&db.store).await;
        load_amersfoort(&db.store).await; // second load replaces, no duplicates
        let r = db.store.region("amersfoort").await.unwrap();
        assert_eq!(
            r.municipalities.len(),
            rf.region.municipalities().len(),
            "{}",
            db.name
        );
        let lots = db.store.lots("amersfoort").await.unwrap();
        assert_eq!(lots.len(), rf.lots.len());
        for lot in &rf.lots {
            let stored = lots.iter().find(|l| l.id == lot.id).unwrap();
            assert_eq!(stored.funding, lot.funding);
            assert_eq!(stored.payer, lot.payer);
            assert_eq!(stored.procurement, lot.procurement);
            assert_eq!(
                stored.products, lot.products,
                "{} products of {}",
                db.name, lot.id
            );
        }
        assert_eq!(
            db.store.region_ids().await.unwrap(),
            vec!["amersfoort".to_string()]
        );
        assert_eq!(
            db.store.audit_for("region/amersfoort").await.unwrap().len(),
            2
        );
        let err = db.store.region("nowhere").await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }));
    }
}

#[tokio::test]
async fn unique_counts_are_distinct_not_sums() {
    for db in backends().await {
        let rf = load_amersfoort(&db.store).await;
        let agb = rf.contracts[0].party.addressee();
        let amf = "0307";
        let soest = "0342";
        // Client a: two products in Amersfoort. Client b: one product, moves Amersfoort → Soest.
        // Client c: one product, lives in Utrecht (outside the region).
        let (a, b, c) = (bsn(10_000_000), bsn(10_000_100), bsn(10_000_200));
        let mut batch = SimBatch::default();
        batch.clients.push(Client::new(
            a,
            d(1980, 1, 1),
            amf.parse().unwrap(),
            d(2000, 1, 1),
        ));
        let mut cb = Client::new(b, d(1970, 1, 1), amf.parse().unwrap(), d(2000, 1, 1));
        cb.move_to(soest.parse().unwrap(), d(2024, 7, 1)).unwrap();
        batch.clients.push(cb);
        batch.clients.push(Client::new(
            c,
            d(1990, 1, 1),
            "0344".parse().unwrap(),
            d(2000, 1, 1),
        ));
        let ba1 = beschikking("BA1", a, "02N03", d(2024, 1, 1), d(2024, 12, 31));
        let ba2 = beschikking("BA2", a, "02N04", d(2024, 6, 1), d(2025, 5, 31));
        let bb = beschikking("BB", b, "02N03", d(2024, 1, 1), d(2024, 12, 31));
        let bc = beschikking("BC", c, "02N04", d(2023, 1, 1), d(2024, 2, 29));
        batch.toewijzingen.push(toewijzing(
            "TA1",
            &ba1,
            agb,
            amf,
            d(2024, 1, 1),
            d(2024, 12, 31),
        ));
        batch.toewijzingen.push(toewijzing(
            "TA2",
            &ba2,
            agb,
            amf,
            d(2024, 6, 1),
            d(2025, 5, 31),
        ));
        batch.toewijzingen.push(toewijzing(
            "TB1",
            &bb,
            agb,
            amf,
            d(2024, 1, 1),
            d(2024, 6, 30),
        ));
        batch.toewijzingen.push(toewijzing(
            "TB2",
            &bb,
            agb,
            soest,
            d(2024, 7, 1),
            d(2024, 12, 31),
        ));
        batch.toewijzingen.push(toewijzing(
            "TC",
            &bc,
            agb,
            "0344",
            d(2023, 1, 1),
            d(2024, 2, 29),
        ));
        batch.beschikkingen.extend([ba1, ba2, bb, bc]);
        db.store.insert_batch("amersfoort", &batch).await.unwrap();

        let t = db
            .store
            .unique_clients(
                "amersfoort",
                YearMonth::new(2024, 1)
                    .unwrap()
                    .period()
                    .with_end(d(2024, 12, 31))
                    .unwrap(),
            )
            .await
            .unwrap();
        let amf: Gemeentecode = amf.parse().unwrap();
        let soest: Gemeentecode = soest.parse().unwrap();
        assert_eq!(t.get(Some("02N03"), StatsCell::Total), 2, "{}", db.name);
        assert_eq!(t.get(Some("02N04"), StatsCell::Total), 2);
        assert_eq!(t.get(Some("02N04"), StatsCell::Regional), 1);
        assert_eq!(t.get(Some("02N04"), StatsCell::OutsideRegion), 1);
        assert_eq!(t.get(Some("02N03"), StatsCell::Municipality(amf)), 2);
        assert_eq!(t.get(Some("02N03"), StatsCell::Municipality(soest)), 1);
        // Totals are distinct: 4 product rows, 3 clients; the mover counts once regionally
        // but in both municipality columns.
        assert_eq!(t.get(None, StatsCell::Total), 3);
        assert_eq!(t.get(None, StatsCell::Regional), 2);
        assert_eq!(t.get(None, StatsCell::Municipality(amf)), 2);
        assert_eq!(t.get(None, StatsCell::Municipality(soest)), 1);
        assert_eq!(t.get(None, StatsCell::OutsideRegion), 1);
        // Counting 2025 only sees a's second product.
        let t25 = db
            .store
            .unique_clients(
                "amersfoort",
                Period::new(d(2025, 1, 1), Some(d(2025, 12, 31))).unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(t25.get(None, StatsCell::Total), 1);
    }
}

#[tokio::test]
async fn bad_input_changes_nothing() {
    for db in backends().await {
        let rf = load_amersfoort(&db.store).await;
        let agb = rf.contracts[0].party.addressee();
        let a = bsn(20_000_000);
        let mut batch = SimBatch::default();
        batch.clients.push(Client::new(
            a,
            d(1980, 1, 1),
            "0307".parse().unwrap(),
            d(2000, 1, 1),
        ));
        let b1 = beschikking("B1", a, "02N03", d(2024, 1, 1), d(2024, 12, 31));
        batch.toewijzingen.push(toewijzing(
            "T1",
            &b1,
            agb,
            "0307",
            d(2024, 1, 1),
            d(2024, 6, 30),
        ));
        batch.beschikkingen.push(b1.clone());
        db.store.insert_batch("amersfoort", &batch).await.unwrap();

        // Overlapping toewijzing for same client+product+provider: refused.
        let err = db
            .store
            .add_toewijzing(
                "amersfoort",
                &toewijzing("T2", &b1, agb, "0307", d(2024, 6, 30), d(2024, 12, 31)),
                "test",
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Care(CareError::Overlap { .. })),
            "{}: {err}",
            db.name
        );
        // Outside the beschikking: refused.
        let err = db
            .store
            .add_toewijzing(
                "amersfoort",
                &toewijzing("T3", &b1, agb, "0307", d(2024, 7, 1), d(2025, 1, 31)),
                "test",
            )
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            StoreError::Care(CareError::OutsideBeschikking { .. })
        ));
        // Unknown beschikking.
        let mut orphan = toewijzing("T4", &b1, agb, "0307", d(2024, 7, 1), d(2024, 8, 1));
        orphan.toewijzing.beschikking_id = "NOPE".into();
        assert!(matches!(
            db.store
                .add_toewijzing("amersfoort", &orphan, "test")
                .await
                .unwrap_err(),
            StoreError::NotFound { .. }
        ));
        // The adjacent one is fine.
        db.store
            .add_toewijzing(
                "amersfoort",
                &toewijzing("T5", &b1, agb, "0307", d(2024, 7, 1), d(2024, 12, 31)),
                "test",
            )
            .await
            .unwrap();
        // Ending before start: refused, stored end unchanged.
        let err = db
            .store
            .end_toewijzing("T5", d(2024, 6, 1), RedenWijziging(5), "test")
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            StoreError::Care(CareError::EndBeforeStart { .. })
        ));
        assert_eq!(
            db.store.toewijzingen_of(a).await.unwrap()[1].period.end(),
            Some(d(2024, 12, 31))
        );

        // A batch whose second client already exists rolls back entirely.
        let fresh = bsn(21_000_000);
        let mut dup = SimBatch::default();
        dup.clients.push(Client::new(
            fresh,
            d(1980, 1, 1),
            "0307".parse().unwrap(),
            d(2000, 1, 1),
        ));
        dup.clients.push(Client::new(
            a,
            d(1980, 1, 1),
            "0307".parse().unwrap(),
            d(2000, 1, 1),
        ));
        let err = db.store.insert_batch("amersfoort", &dup).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{}: {err}", db.name);
        assert_eq!(db.store.client_count("amersfoort").await.unwrap(), 1);
        assert!(matches!(
            db.store.client(fresh).await.unwrap_err(),
            StoreError::NotFound { .. }
        ));

        // A batch with overlapping toewijzingen is refused before any write.
        let g = bsn(22_000_000);
        let mut bad = SimBatch::default();
        bad.clients.push(Client::new(
            g,
            d(1980, 1, 1),
            "0307".parse().unwrap(),
            d(2000, 1, 1),
        ));
        let bg = beschikking("BG", g, "02N03", d(2024, 1, 1), d(2024, 12, 31));
        bad.toewijzingen.push(toewijzing(
            "TG1",
            &bg,
            agb,
            "0307",
            d(2024, 1, 1),
            d(2024, 6, 30),
        ));
        bad.toewijzingen.push(toewijzing(
            "TG2",
            &bg,
            agb,
            "0307",
            d(2024, 3, 1),
            d(2024, 9, 30),
        ));
        bad.beschikkingen.push(bg);
        assert!(matches!(
            db.store.insert_batch("amersfoort", &bad).await.unwrap_err(),
            StoreError::Care(CareError::Overlap { .. })
        ));
        assert_eq!(db.store.client_count("amersfoort").await.unwrap(), 1);
    }
}

#[tokio::test]
async fn move_changes_payer_at_move_date() {
    for db in backends().await {
        let rf = load_amersfoort(&db.store).await;
        let agb = rf.contracts[0].party.addressee();
        let a = bsn(30_000_000);
        let mut batch = SimBatch::default();
        batch.clients.push(Client::new(
            a,
            d(1980, 1, 1),
            "0307".parse().unwrap(),
            d(2000, 1, 1),
        ));
        let b1 = beschikking("MB1", a, "02N03", d(2024, 1, 1), d(2024, 12, 31));
        batch.toewijzingen.push(toewijzing(
            "MT1",
            &b1,
            agb,
            "0307",
            d(2024, 1, 1),
            d(2024, 12, 31),
        ));
        batch.beschikkingen.push(b1);
        db.store.insert_batch("amersfoort", &batch).await.unwrap();

        let new_ids = db
            .store
            .record_move(
                a,
                "0342".parse().unwrap(),
                d(2024, 5, 16),
                RedenWijziging(7),
                "toegang",
            )
            .await
            .unwrap();
        assert_eq!(new_ids.len(), 1);
        let ts = db.store.toewijzingen_of(a).await.unwrap();
        assert_eq!(ts.len(), 2, "{}", db.name);
        assert_eq!(ts[0].period.end(), Some(d(2024, 5, 15)));
        assert_eq!(ts[0].gemeente.as_str(), "0307");
        assert_eq!(ts[1].period.start(), d(2024, 5, 16));
        assert_eq!(ts[1].period.end(), Some(d(2024, 12, 31)));
        assert_eq!(ts[1].gemeente.as_str(), "0342");
        let c = db.store.client(a).await.unwrap();
        assert_eq!(c.municipality_on(d(2024, 5, 16)).as_str(), "0342");
        // A move dated before the last one is refused and changes nothing.
        assert!(db
            .store
            .record_move(
                a,
                "0307".parse().unwrap(),
                d(2024, 3, 1),
                RedenWijziging(7),
                "toegang"
            )
            .await
            .is_err());
        assert_eq!(db.store.toewijzingen_of(a).await.unwrap().len(), 2);
        assert_eq!(
            db.store
                .audit_for(&format!("client/{a}"))
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

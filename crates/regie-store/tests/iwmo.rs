//! The iWmo chain through the store, on every available backend: idempotency,
//! TR056, line-by-line declaratie handling, crash safety of a batch.

// Shared helpers; not all are used here.
#[allow(dead_code)]
mod common;

use chrono::{NaiveDate, NaiveDateTime};
use common::backends;
use regie_iwmo::bericht::Bericht;
use regie_iwmo::sample::{self, bsn, Partijen};
use regie_store::iwmo::{add_werkdagen, DeadlineStatus, IngestOptions};
use regie_store::Store;

fn at(y: i32, m: u32, d: u32) -> IngestOptions {
    IngestOptions {
        now: NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap(),
    }
}

fn now() -> IngestOptions {
    IngestOptions {
        now: NaiveDateTime::parse_from_str("2024-01-10 10:00:00", "%Y-%m-%d %H:%M:%S").unwrap(),
    }
}

/// Toewijzingen 1001..=1000+n for bsn(1..=n), as received WMO301s.
async fn toewijzingen(store: &Store, n: u32) {
    let p = Partijen::default();
    for i in 1..=n {
        let m = sample::toewijzing(&p, &format!("T{i}"), bsn(i), 1000 + i);
        let out = store.ingest(m.to_xml().as_bytes(), &now()).await.unwrap();
        assert_eq!(out.status, "accepted", "{}", out.report);
    }
}

#[tokio::test]
async fn same_message_twice_changes_nothing_and_answers_the_same() {
    for db in backends().await {
        let s = &db.store;
        toewijzingen(s, 1).await;
        let p = Partijen::default();
        let xml = sample::start(&p, "S1", bsn(1), 1001).to_xml();
        let first = s.ingest(xml.as_bytes(), &now()).await.unwrap();
        assert_eq!(first.status, "accepted", "{}: {}", db.name, first.report);
        assert!(!first.replayed);
        let retour = first.retour.clone().expect("WMO306");
        assert!(retour.contains("0200"), "{retour}");
        let before = s.iwmo_counts().await.unwrap();
        assert_eq!(before.care_periods, 1);
        // Later, even on another day: the same answer, nothing new.
        let again = s.ingest(xml.as_bytes(), &at(2024, 2, 1)).await.unwrap();
        assert!(again.replayed, "{}", db.name);
        assert_eq!(again.retour, first.retour);
        assert_eq!(again.report, first.report);
        assert_eq!(again.message_id, first.message_id);
        assert_eq!(s.iwmo_counts().await.unwrap(), before, "{}", db.name);
    }
}

#[tokio::test]
async fn different_message_with_known_identificatie_is_tr056() {
    for db in backends().await {
        let s = &db.store;
        toewijzingen(s, 2).await;
        let p = Partijen::default();
        let a = sample::start(&p, "S1", bsn(1), 1001).to_xml();
        let b = sample::start(&p, "S1", bsn(2), 1002).to_xml();
        assert_eq!(
            s.ingest(a.as_bytes(), &now()).await.unwrap().status,
            "accepted"
        );
        let out = s.ingest(b.as_bytes(), &now()).await.unwrap();
        assert_eq!(out.status, "rejected", "{}", db.name);
        assert!(!out.replayed);
        let codes: Vec<&str> = out.report["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["TR056"], "{}", db.name);
        assert!(out.retour.unwrap().to_lowercase().contains("wmo306"));
        // The rejected start did not create a care period.
        let c = s.iwmo_counts().await.unwrap();
        assert_eq!(c.care_periods, 1, "{}", db.name);
        assert_eq!(c.received, 4);
    }
}

#[tokio::test]
async fn declaratie_lines_are_accepted_or_rejected_line_by_line() {
    for db in backends().await {
        let s = &db.store;
        toewijzingen(s, 2).await;
        let p = Partijen::default();
        for i in 1..=2 {
            let x = sample::start(&p, &format!("S{i}"), bsn(i), 1000 + i).to_xml();
            assert_eq!(
                s.ingest(x.as_bytes(), &now()).await.unwrap().status,
                "accepted"
            );
        }
        // Client 1 and 2 on their toewijzingen; client 3 has no toewijzing at all.
        let d = sample::declaratie(
            &p,
            "D1",
            "DN1",
            &[(bsn(1), 1001), (bsn(2), 1002), (bsn(3), 4242)],
        );
        let out = s
            .ingest(d.to_xml().as_bytes(), &at(2024, 4, 8))
            .await
            .unwrap();
        assert_eq!(out.status, "partial", "{}: {}", db.name, out.report);
        let retour = out.retour.expect("WMO325");
        assert!(
            retour.contains("WMO325") || retour.contains("wmo325"),
            "{retour}"
        );
        // Totals: 3 × € 960 submitted, 2 × € 960 granted.
        assert!(retour.contains("288000"), "{retour}");
        assert!(retour.contains("192000"), "{retour}");
        let c = s.iwmo_counts().await.unwrap();
        assert_eq!((c.lines_accepted, c.lines_rejected), (2, 1), "{}", db.name);
        let (codes,): (String,) = sqlx::query_as(
            "SELECT retourcodes FROM iwmo_declaratie_regels WHERE status = 'rejected'",
        )
        .fetch_one(s.pool())
        .await
        .unwrap();
        let issue = out.report["issues"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["pad"] == serde_json::json!([2, 0]))
            .expect("issue on the third client's prestatie");
        assert!(codes.contains(issue["retourcode"].as_str().unwrap()));
        assert_ne!(codes, "0200");
        // The same DeclaratieNummer again is refused (TR333) and adds no lines.
        let again = sample::declaratie(&p, "D2", "DN1", &[(bsn(1), 1001)]);
        let out = s
            .ingest(again.to_xml().as_bytes(), &at(2024, 4, 9))
            .await
            .unwrap();
        assert_eq!(out.status, "rejected", "{}", out.report);
        let c2 = s.iwmo_counts().await.unwrap();
        assert_eq!((c2.lines_accepted, c2.lines_rejected), (2, 1));
    }
}

#[tokio::test]
async fn a_failed_batch_rerun_loses_nothing_and_doubles_nothing() {
    let p = Partijen::default();
    let mut batch: Vec<String> = Vec::new();
    for i in 1..=4 {
        batch.push(sample::toewijzing(&p, &format!("T{i}"), bsn(i), 1000 + i).to_xml());
    }
    for i in 1..=4 {
        let id = if i == 3 {
            "BOOM".to_string()
        } else {
            format!("S{i}")
        };
        batch.push(Bericht::Wmo305(sample::start(&p, &id, bsn(i), 1000 + i)).to_xml());
    }
    batch.push(sample::declaratie(&p, "D1", "DN1", &[(bsn(1), 1001), (bsn(2), 1002)]).to_xml());
    batch.push("<not-iwmo/>".to_string());

    let reference = backends().await;
    for (db, clean) in backends().await.into_iter().zip(reference) {
        let s = &db.store;
        // A write that fails in the middle of message 7 (after its care period was written).
        let trigger = match db.name {
            "sqlite" => vec!["CREATE TRIGGER boom BEFORE INSERT ON iwmo_messages WHEN NEW.identificatie = 'BOOM' BEGIN SELECT RAISE(ABORT, 'boom'); END".to_string()],
            _ => vec![
                "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.identificatie = 'BOOM' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql".to_string(),
                "CREATE TRIGGER boom BEFORE INSERT ON iwmo_messages FOR EACH ROW EXECUTE FUNCTION boom()".to_string(),
            ],
        };
        for t in &trigger {
            sqlx::query(t).execute(s.pool()).await.unwrap();
        }
        let mut failed_at = None;
        for (i, x) in batch.iter().enumerate() {
            if let Err(e) = s.ingest(x.as_bytes(), &now()).await {
                assert!(e.to_string().contains("boom"), "{e}");
                failed_at = Some(i);
                break;
            }
        }
        assert_eq!(failed_at, Some(6), "{}", db.name);
        let mid = s.iwmo_counts().await.unwrap();
        assert_eq!(mid.received, 6, "{}", db.name);
        assert_eq!(
            mid.care_periods, 2,
            "{}: the failed start left nothing",
            db.name
        );
        sqlx::query("DROP TRIGGER boom ON iwmo_messages")
            .execute(s.pool())
            .await
            .or(sqlx::query("DROP TRIGGER boom").execute(s.pool()).await)
            .unwrap();
        // Re-run the whole batch.
        let mut replayed = 0;
        for x in &batch {
            let out = s.ingest(x.as_bytes(), &now()).await.unwrap();
            replayed += usize::from(out.replayed);
        }
        assert_eq!(replayed, 6, "{}", db.name);
        for x in &batch {
            clean.store.ingest(x.as_bytes(), &now()).await.unwrap();
        }
        let (got, want) = (
            s.iwmo_counts().await.unwrap(),
            clean.store.iwmo_counts().await.unwrap(),
        );
        assert_eq!(got, want, "{}", db.name);
        assert_eq!(got.received, batch.len() as i64);
        assert_eq!(got.care_periods, 4);
        assert_eq!(got.lines_accepted, 2);
    }
}

#[tokio::test]
async fn deadlines_are_tracked() {
    for db in backends().await {
        let s = &db.store;
        toewijzingen(s, 2).await;
        let p = Partijen::default();
        // Start of care 2024-01-08: due 5 working days later (2024-01-15). Client 1 on time, client 2 late.
        let x = sample::start(&p, "S1", bsn(1), 1001).to_xml();
        s.ingest(x.as_bytes(), &at(2024, 1, 12)).await.unwrap();
        let x = sample::start(&p, "S2", bsn(2), 1002).to_xml();
        s.ingest(x.as_bytes(), &at(2024, 1, 22)).await.unwrap();
        assert_eq!(
            add_werkdagen(NaiveDate::from_ymd_opt(2024, 1, 8).unwrap(), 5),
            NaiveDate::from_ymd_opt(2024, 1, 15).unwrap()
        );
        let all = s
            .iwmo_deadlines(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap())
            .await
            .unwrap();
        let op271: Vec<_> = all.iter().filter(|d| d.rule == "OP271").collect();
        assert_eq!(op271.len(), 2, "{}: {all:?}", db.name);
        assert_eq!(
            op271
                .iter()
                .filter(|d| d.status == DeadlineStatus::Met)
                .count(),
            1
        );
        assert_eq!(
            op271
                .iter()
                .filter(|d| d.status == DeadlineStatus::Late)
                .count(),
            1
        );
        // Our retours went out at once: OP090 met.
        assert!(all
            .iter()
            .filter(|d| d.rule == "OP090")
            .all(|d| d.status == DeadlineStatus::Met));
    }
}

// ------------------------------------------------------------------ verzoeken

/// A declaratie naming more clients, toewijzingen and referenties than one
/// `IN (…)` list of the chain read holds (128): read in several branches, the
/// same outcome line by line; and through a session, the same as one by one.
#[tokio::test]
async fn a_large_declaratie_reads_its_chain_in_chunks() {
    const N: u32 = 150;
    for db in backends().await {
        let s = &db.store;
        toewijzingen(s, N).await;
        let p = Partijen::default();
        let mut session = s.iwmo_session().await.unwrap();
        for i in 1..=N {
            let x = sample::start(&p, &format!("S{i}"), bsn(i), 1000 + i).to_xml();
            let out = session.ingest(x.as_bytes(), &now()).await.unwrap();
            assert_eq!(out.status, "accepted", "{}: {}", db.name, out.report);
        }
        drop(session);
        // Every client on its toewijzing, plus one without any.
        let mut clients: Vec<_> = (1..=N).map(|i| (bsn(i), 1000 + i)).collect();
        clients.push((bsn(N + 1), 4242));
        let d = sample::declaratie(&p, "D1", "DN1", &clients);
        let out = s
            .ingest(d.to_xml().as_bytes(), &at(2024, 4, 8))
            .await
            .unwrap();
        assert_eq!(out.status, "partial", "{}: {}", db.name, out.report);
        let c = s.iwmo_counts().await.unwrap();
        assert_eq!(
            (c.lines_accepted, c.lines_rejected),
            (i64::from(N), 1),
            "{}",
            db.name
        );
        // The same DeclaratieNummer again: TR333, nothing added.
        let again = sample::declaratie(&p, "D2", "DN1", &clients[..1]);
        let out = s
            .ingest(again.to_xml().as_bytes(), &at(2024, 4, 9))
            .await
            .unwrap();
        assert_eq!(out.status, "rejected", "{}", out.report);
        assert_eq!(s.iwmo_counts().await.unwrap().lines_accepted, i64::from(N));
    }
}

mod verzoeken {
    //! WMO315/317 decided against what the store knows (regio Meierij,
    //! outputgericht, open house): granted with a WMO301 carrying all current
    //! toewijzingen, refused or taken into onderzoek with a WMO319.

    use super::*;
    use regie_domain::{
        AgbCode, Beschikking, Client, Frequentie, Gemeentecode, Omvang, Period, Persoonsgegevens,
        ProductRef, Scope, Toewijzing, Unit,
    };
    use regie_iwmo::model::{Omvang as IOmvang, OngewijzigdProduct, Product, TeWijzigenProduct};
    use regie_iwmo::types::{
        Eenheid, Frequentie as IFrequentie, Nummer, ProductCategorie, ProductCode,
        RedenAfwijzingVerzoek, RedenWijziging, Referentie, VerzoekAntwoord, Volume,
    };
    use regie_iwmo::validate::{self, InMemoryContext, Options, Uitvoeringsvariant};
    use regie_store::iwmo::{ExportTarget, IngestOutcome, SkipReason};
    use regie_store::{RegionInput, ToewijzingRow};
    use std::path::{Path, PathBuf};

    pub const DEN_BOSCH: &str = "0796";
    pub const VUGHT: &str = "0865";
    pub const VIVENT: &str = "99040102";
    /// Holds only the kortdurend-verblijf lot.
    pub const KDV: &str = "99040106";

    pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    pub fn partijen(aanbieder: &str) -> Partijen {
        Partijen {
            gemeente: DEN_BOSCH.parse::<Gemeentecode>().unwrap().into(),
            aanbieder: aanbieder.parse::<AgbCode>().unwrap().into(),
        }
    }

    pub fn persoon(k: u64) -> Persoonsgegevens {
        regie_sim::persoon::persoonsgegevens(3, k, "'s-Hertogenbosch")
    }

    pub async fn load_meierij(store: &Store) {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../regions/meierij.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let rf = regie_regions::parse_region(&text, path).unwrap();
        store
            .save_region(
                RegionInput {
                    region: &rf.region,
                    source_file: "regions/meierij.toml",
                    document: &text,
                    providers: &rf.providers,
                    lots: &rf.lots,
                    contracts: &rf.contracts,
                },
                "test",
            )
            .await
            .unwrap();
    }

    fn per_maand() -> Omvang {
        Omvang {
            volume: 1,
            unit: Unit::StuksOutput,
            frequentie: Frequentie::PerMaand,
        }
    }

    fn product(code: &str) -> ProductRef {
        ProductRef {
            categorie: code[..2].parse().unwrap(),
            code: Some(code.parse().unwrap()),
        }
    }

    /// Stores a client of 's-Hertogenbosch (BRP data when `met_persoon`) with
    /// a beschikking for `code` over 2025 (1 client-month per month).
    pub async fn client(store: &Store, n: u32, met_persoon: bool, code: &str) -> regie_domain::Bsn {
        let b = bsn(n);
        if store.client(b).await.is_err() {
            let c = Client::new(b, d(1961, 3, 14), DEN_BOSCH.parse().unwrap(), d(2001, 1, 1));
            let p = persoon(u64::from(n));
            store
                .add_client("meierij", &c, met_persoon.then_some(&p), "test")
                .await
                .unwrap();
        }
        store
            .add_beschikking(
                "meierij",
                &Beschikking {
                    id: format!("B{b}-{code}"),
                    client: b,
                    aard: format!("product {code}"),
                    product: product(code),
                    intensiteit: Some(per_maand()),
                    duur: Period::new(d(2025, 1, 1), Some(d(2025, 12, 31))).unwrap(),
                    decided_on: d(2024, 12, 10),
                    motivation: "test".into(),
                    rechtsmiddelen: "bezwaar binnen zes weken".into(),
                },
                "test",
            )
            .await
            .unwrap();
        b
    }

    /// A running toewijzing of dagbesteding 07X01 at Vivent over 2025.
    pub async fn dagbesteding(store: &Store, b: regie_domain::Bsn) {
        store
            .add_toewijzing(
                "meierij",
                &ToewijzingRow {
                    toewijzing: Toewijzing {
                        id: format!("T{b}-DB"),
                        beschikking_id: format!("B{b}-07X01"),
                        client: b,
                        provider: VIVENT.parse().unwrap(),
                        product: product("07X01"),
                        scope: Scope::Volume(per_maand()),
                        period: Period::new(d(2025, 1, 1), Some(d(2025, 12, 31))).unwrap(),
                        reden_wijziging: None,
                    },
                    lot_id: "1b-dagbesteding".into(),
                    gemeente: DEN_BOSCH.parse().unwrap(),
                },
                "test",
            )
            .await
            .unwrap();
    }

    /// A WMO315 (dagtekening 2025-02-10) for one product from 2025-03-01.
    pub fn vot(
        aanbieder: &str,
        id: &str,
        b: regie_domain::Bsn,
        referentie: &str,
        code: Option<&str>,
        omvang: (u32, IFrequentie),
        eind: Option<NaiveDate>,
    ) -> String {
        let mut m = sample::verzoek_toewijzing(&partijen(aanbieder), id, b, referentie);
        m.header.bericht_identificatie.dagtekening = d(2025, 2, 10);
        let ap = &mut m.client.aangevraagde_producten[0];
        ap.product = code.map(|c| Product {
            categorie: ProductCategorie::from_code(&c[..2]).unwrap(),
            code: Some(ProductCode::new(c).unwrap()),
        });
        ap.toewijzing_ingangsdatum = d(2025, 3, 1);
        ap.toewijzing_einddatum = eind;
        ap.omvang = Some(IOmvang {
            volume: Volume::new(omvang.0).unwrap(),
            eenheid: Eenheid::StuksOutput,
            frequentie: omvang.1,
        });
        m.to_xml()
    }

    pub fn at_day(y: i32, m: u32, day: u32) -> IngestOptions {
        IngestOptions {
            now: d(y, m, day).and_hms_opt(10, 30, 0).unwrap(),
        }
    }

    fn reference_dir() -> PathBuf {
        if let Ok(p) = std::env::var("REGIE_IWMO_REFERENCE") {
            return PathBuf::from(p);
        }
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/iwmo");
        // xmllint resolves schema imports lexically: give it a physical path.
        p.canonicalize().unwrap_or(p)
    }

    /// `xmllint --noout --schema xsd/WMO301.xsd` on the message (skipped with
    /// REGIE_SKIP_XMLLINT=1, like the codec's schema tests).
    pub fn xmllint_301(xml: &str) {
        xmllint(xml, "WMO301");
    }

    /// `xmllint --noout --schema xsd/{message}.xsd` on the message.
    pub fn xmllint(xml: &str, message: &str) {
        if std::env::var("REGIE_SKIP_XMLLINT").is_ok_and(|v| v == "1") {
            return;
        }
        let schema = reference_dir().join(format!("xsd/{message}.xsd"));
        assert!(
            schema.exists(),
            "no reference schema at {}",
            schema.display()
        );
        let file = std::env::temp_dir().join(format!(
            "regie-store-{message}-{}-{}.xml",
            std::process::id(),
            sha(xml)
        ));
        std::fs::write(&file, xml).unwrap();
        let out = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&schema)
            .arg(&file)
            .output()
            .expect("xmllint runs (apt-get install libxml2-utils, or REGIE_SKIP_XMLLINT=1)");
        let _ = std::fs::remove_file(&file);
        assert!(
            out.status.success(),
            "xmllint rejects our {message}:\n{}\n{xml}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn sha(s: &str) -> u64 {
        s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
    }

    /// Client `n` with begeleiding (02X02, granted through VOT`n` / R`n` on
    /// 11 February 2025) and dagbesteding (07X01) at Vivent: the BSN and the
    /// two ToewijzingNummers (begeleiding, dagbesteding).
    pub async fn begeleiding_en_dagbesteding(
        store: &Store,
        n: u32,
    ) -> (regie_domain::Bsn, u32, u32) {
        let b = client(store, n, true, "02X02").await;
        client(store, n, true, "07X01").await;
        dagbesteding(store, b).await;
        let out = ingest_twice(
            store,
            &vot(
                VIVENT,
                &format!("VOT{n}"),
                b,
                &format!("R{n}"),
                Some("02X02"),
                (1, IFrequentie::PerMaand),
                Some(d(2025, 12, 31)),
            ),
            at_day(2025, 2, 11),
        )
        .await;
        let m = wmo301(&out.answers[0]);
        let nummer = |code: &str| {
            m.client
                .toegewezen_producten
                .iter()
                .find(|t| t.product.as_ref().unwrap().code.as_ref().unwrap().as_str() == code)
                .unwrap()
                .toewijzing_nummer
                .get()
        };
        (b, nummer("02X02"), nummer("07X01"))
    }

    /// VOW`n` / W`n` of 1 April 2025 from Vivent: begeleiding changed to one
    /// `per` from `van` until `tot`, dagbesteding unchanged.
    pub fn vow_begeleiding(
        n: u32,
        b: regie_domain::Bsn,
        (begeleiding, dagbest): (u32, u32),
        (van, tot): (NaiveDate, NaiveDate),
        per: IFrequentie,
    ) -> regie_iwmo::bericht::Wmo317 {
        let mut w = sample::verzoek_wijziging(
            &partijen(VIVENT),
            &format!("VOW{n}"),
            b,
            &format!("W{n}"),
            begeleiding,
        );
        w.header.bericht_identificatie.dagtekening = d(2025, 4, 1);
        w.client.verzoek.te_wijzigen_producten = vec![TeWijzigenProduct {
            toewijzing_nummer: Nummer::new(begeleiding).unwrap(),
            gewenste_ingangsdatum: van,
            einddatum: Some(tot),
            omvang: Some(IOmvang {
                volume: Volume::new(1).unwrap(),
                eenheid: Eenheid::StuksOutput,
                frequentie: per,
            }),
            budget: None,
            retourcodes: vec![],
        }];
        w.client.verzoek.ongewijzigde_producten = vec![OngewijzigdProduct {
            toewijzing_nummer: Nummer::new(dagbest).unwrap(),
            retourcodes: vec![],
        }];
        w
    }

    pub fn wmo301(xml: &str) -> regie_iwmo::bericht::Wmo301 {
        // Message rules on their own as well (the store validated it against the chain).
        let r = validate::validate_with(
            xml.as_bytes(),
            &InMemoryContext::new(),
            &Options {
                variant: Uitvoeringsvariant::Outputgericht,
                alleen_bericht: true,
            },
        );
        assert!(r.is_ok(), "{r}");
        assert!(!xml.contains("Onbekend"), "placeholder data in {xml}");
        match regie_iwmo::bericht::parse(xml.as_bytes()).unwrap() {
            Bericht::Wmo301(m) => m,
            b => panic!("expected WMO301, got {}", b.message_type()),
        }
    }

    pub fn wmo319(xml: &str) -> regie_iwmo::model::Antwoord {
        match regie_iwmo::bericht::parse(xml.as_bytes()).unwrap() {
            Bericht::Wmo319(m) => m.antwoord,
            b => panic!("expected WMO319, got {}", b.message_type()),
        }
    }

    pub async fn verzoek_row(store: &Store, referentie: &str) -> (String, i64) {
        sqlx::query_as("SELECT antwoorden, toegewezen FROM iwmo_verzoeken WHERE referentie = $1")
            .bind(referentie)
            .fetch_one(store.pool())
            .await
            .unwrap()
    }

    /// Ingests and checks that a replay (days later) gives the same answers and changes nothing.
    pub async fn ingest_twice(store: &Store, xml: &str, when: IngestOptions) -> IngestOutcome {
        let first = store.ingest(xml.as_bytes(), &when).await.unwrap();
        assert_eq!(first.status, "accepted", "{}", first.report);
        let counts = store.iwmo_counts().await.unwrap();
        let toewijzingen: (i64,) =
            sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM toewijzingen")
                .fetch_one(store.pool())
                .await
                .unwrap();
        let mut later = when;
        later.now += chrono::Duration::days(3);
        let again = store.ingest(xml.as_bytes(), &later).await.unwrap();
        assert!(again.replayed);
        assert_eq!(again.answers, first.answers);
        assert_eq!(again.retour, first.retour);
        assert_eq!(store.iwmo_counts().await.unwrap(), counts);
        let after: (i64,) = sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM toewijzingen")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(after, toewijzingen, "a replay stores no toewijzing");
        first
    }

    #[tokio::test]
    async fn granted_verzoek_om_toewijzing_is_answered_with_all_current_toewijzingen() {
        for db in backends().await {
            let s = &db.store;
            load_meierij(s).await;
            let b = client(s, 1, true, "02X02").await;
            client(s, 1, true, "07X01").await;
            dagbesteding(s, b).await;
            let xml = vot(
                VIVENT,
                "VOT1",
                b,
                "R1",
                Some("02X02"),
                (1, IFrequentie::PerMaand),
                Some(d(2025, 12, 31)),
            );
            let out = ingest_twice(s, &xml, at_day(2025, 2, 11)).await;
            // OP274: a toewijzingbericht answers the verzoek; no WMO319 with it.
            assert_eq!(out.answers.len(), 1, "{}: {:?}", db.name, out.answers);
            let m = wmo301(&out.answers[0]);
            xmllint_301(&out.answers[0]);
            // OP087: the running dagbesteding is in it too, without referentie (IV094).
            let tps = &m.client.toegewezen_producten;
            assert_eq!(tps.len(), 2, "{}", db.name);
            let nieuw = tps
                .iter()
                .find(|t| t.referentie_aanbieder.as_ref().map(|r| r.as_str()) == Some("R1"))
                .expect("the granted product carries the verzoek's referentie");
            assert_eq!(
                nieuw
                    .product
                    .as_ref()
                    .unwrap()
                    .code
                    .as_ref()
                    .unwrap()
                    .as_str(),
                "02X02"
            );
            assert_eq!(
                (nieuw.ingangsdatum, nieuw.einddatum),
                (d(2025, 3, 1), Some(d(2025, 12, 31)))
            );
            assert_eq!(
                nieuw.reden_wijziging, None,
                "a new toewijzing has no reden (IV099)"
            );
            let oud = tps
                .iter()
                .find(|t| t.referentie_aanbieder.is_none())
                .unwrap();
            assert_eq!(
                oud.product
                    .as_ref()
                    .unwrap()
                    .code
                    .as_ref()
                    .unwrap()
                    .as_str(),
                "07X01"
            );
            // Named and addressed from the stored BRP data.
            let p = persoon(1);
            assert_eq!(
                m.client.naam.geslachtsnaam.achternaam.as_str(),
                p.geslachtsnaam.achternaam.as_str()
            );
            let adres = m.client.contactgegevens[0].adres.as_ref().unwrap();
            assert_eq!(
                adres.postcode.as_ref().unwrap().as_str(),
                p.adres.postcode.as_str()
            );
            assert_eq!(
                adres.plaatsnaam.as_ref().unwrap().as_str(),
                "'s-Hertogenbosch"
            );
            // Stored: the toewijzing, the verzoek as granted, OP274 met.
            let tw = s.toewijzingen_of(b).await.unwrap();
            assert!(
                tw.iter().any(|t| t.id == format!("VOT-{VIVENT}-R1")),
                "{tw:?}"
            );
            assert_eq!(verzoek_row(s, "R1").await.1, 1, "{}", db.name);
            let op274: Vec<_> = s
                .iwmo_deadlines(d(2025, 2, 11))
                .await
                .unwrap()
                .into_iter()
                .filter(|x| x.rule == "OP274")
                .collect();
            assert_eq!(op274.len(), 1);
            assert_eq!(op274[0].status, DeadlineStatus::Met);
            // The export has nothing new for this client: the answer was the WMO301.
            let e = s
                .export_toewijzingen(
                    &ExportTarget::Aanbieder(VIVENT.into()),
                    d(2025, 1, 1),
                    &at_day(2025, 2, 12),
                )
                .await
                .unwrap();
            assert_eq!((e.messages.len(), e.unchanged), (0, 1), "{}", db.name);
        }
    }

    #[tokio::test]
    async fn verzoeken_that_do_not_fit_are_refused_with_the_reden_of_the_code_list() {
        for db in backends().await {
            let s = &db.store;
            load_meierij(s).await;
            // Known client with a beschikking for dagbesteding only.
            let zonder = client(s, 2, true, "07X01").await;
            let met = client(s, 3, true, "02X02").await;
            // Lives in Vught.
            let vught = bsn(4);
            s.add_client(
                "meierij",
                &Client::new(vught, d(1970, 1, 1), VUGHT.parse().unwrap(), d(2001, 1, 1)),
                Some(&persoon(4)),
                "test",
            )
            .await
            .unwrap();
            let pm = (1, IFrequentie::PerMaand);
            let eind = Some(d(2025, 12, 31));
            let cases: Vec<(String, RedenAfwijzingVerzoek)> = vec![
                // OP307: no beschikking for the product.
                (
                    vot(VIVENT, "A1", zonder, "A1", Some("02X02"), pm, eind),
                    RedenAfwijzingVerzoek::ZorginhoudelijkeAfkeur,
                ),
                // Not a client of the gemeente at all.
                (
                    vot(VIVENT, "A2", bsn(99), "A2", Some("02X02"), pm, eind),
                    RedenAfwijzingVerzoek::ZorginhoudelijkeAfkeur,
                ),
                // Woonplaatsbeginsel: lives in another gemeente.
                (
                    vot(VIVENT, "A3", vught, "A3", Some("02X02"), pm, eind),
                    RedenAfwijzingVerzoek::AndereGemeente,
                ),
                // The KDV provider holds no contract for individuele begeleiding.
                (
                    vot(KDV, "A4", met, "A4", Some("02X02"), pm, eind),
                    RedenAfwijzingVerzoek::GeenContract,
                ),
                // More than the beschikking gives.
                (
                    vot(
                        VIVENT,
                        "A5",
                        met,
                        "A5",
                        Some("02X02"),
                        (2, IFrequentie::PerMaand),
                        eind,
                    ),
                    RedenAfwijzingVerzoek::ZorginhoudelijkeAfkeur,
                ),
                // Beyond the beschikking's duur.
                (
                    vot(
                        VIVENT,
                        "A6",
                        met,
                        "A6",
                        Some("02X02"),
                        pm,
                        Some(d(2026, 6, 30)),
                    ),
                    RedenAfwijzingVerzoek::ZorginhoudelijkeAfkeur,
                ),
            ];
            for (i, (xml, reden)) in cases.iter().enumerate() {
                let out = ingest_twice(s, xml, at_day(2025, 2, 11)).await;
                assert_eq!(out.answers.len(), 1, "{} case {i}", db.name);
                let a = wmo319(&out.answers[0]);
                assert_eq!(
                    a.verzoek_antwoord,
                    VerzoekAntwoord::Afgewezen,
                    "{} case {i}",
                    db.name
                );
                assert_eq!(
                    a.reden_afwijzing_verzoek,
                    Some(*reden),
                    "{} case {i}",
                    db.name
                );
                let r = a.referentie_aanbieder.as_str().to_string();
                assert_eq!(
                    verzoek_row(s, &r).await,
                    ("1".into(), 0),
                    "{} case {i}",
                    db.name
                );
                // The reason is on record for the toegang.
                let audit = s
                    .audit_for(&format!(
                        "verzoek/{}/{r}",
                        if i == 3 { KDV } else { VIVENT }
                    ))
                    .await
                    .unwrap();
                assert_eq!(audit.len(), 1, "{} case {i}", db.name);
                assert!(
                    audit[0]
                        .detail
                        .starts_with(&format!("reden {}", reden.code())),
                    "{}",
                    audit[0].detail
                );
            }
            // Nothing was assigned.
            assert!(s.toewijzingen_of(met).await.unwrap().is_empty());
        }
    }

    #[tokio::test]
    async fn a_grant_that_needs_a_person_stays_in_onderzoek() {
        for db in backends().await {
            let s = &db.store;
            load_meierij(s).await;
            // Fits, but no BRP data: no WMO301 with placeholders, so a person completes it.
            let b = client(s, 5, false, "02X02").await;
            let out = ingest_twice(
                s,
                &vot(
                    VIVENT,
                    "O1",
                    b,
                    "O1",
                    Some("02X02"),
                    (1, IFrequentie::PerMaand),
                    Some(d(2025, 12, 31)),
                ),
                at_day(2025, 2, 11),
            )
            .await;
            assert_eq!(out.answers.len(), 1);
            let a = wmo319(&out.answers[0]);
            assert_eq!(
                a.verzoek_antwoord,
                VerzoekAntwoord::InOnderzoek,
                "{}",
                db.name
            );
            assert_eq!(a.reden_afwijzing_verzoek, None);
            // Nothing was assigned, the verzoek is onderhanden (OP350).
            assert!(
                s.toewijzingen_of(b).await.unwrap().is_empty(),
                "{}",
                db.name
            );
            assert_eq!(verzoek_row(s, "O1").await, ("2".into(), 0));
            let audit = s.audit_for(&format!("verzoek/{VIVENT}/O1")).await.unwrap();
            assert!(
                audit[0].detail.contains("persoonsgegevens"),
                "{}",
                audit[0].detail
            );
            // Omvang in another frequency than the beschikking: not comparable automatically.
            let c = client(s, 6, true, "02X02").await;
            let out = ingest_twice(
                s,
                &vot(
                    VIVENT,
                    "O2",
                    c,
                    "O2",
                    Some("02X02"),
                    (1, IFrequentie::PerWeek),
                    Some(d(2025, 12, 31)),
                ),
                at_day(2025, 2, 11),
            )
            .await;
            assert_eq!(
                wmo319(&out.answers[0]).verzoek_antwoord,
                VerzoekAntwoord::InOnderzoek,
                "{}",
                db.name
            );
        }
    }

    #[tokio::test]
    async fn verzoek_om_wijziging_shortening_a_toewijzing_is_answered_with_the_changed_301() {
        for db in backends().await {
            let s = &db.store;
            load_meierij(s).await;
            let (b, begeleiding, dagbest) = begeleiding_en_dagbesteding(s, 7).await;
            // The aanbieder asks to end begeleiding on 30 June; dagbesteding unchanged.
            let w = vow_begeleiding(
                7,
                b,
                (begeleiding, dagbest),
                (d(2025, 3, 1), d(2025, 6, 30)),
                IFrequentie::PerMaand,
            );
            let out = ingest_twice(s, &w.to_xml(), at_day(2025, 4, 2)).await;
            assert_eq!(out.answers.len(), 1, "{}: {:?}", db.name, out.answers);
            let m = wmo301(&out.answers[0]);
            xmllint_301(&out.answers[0]);
            let tps = &m.client.toegewezen_producten;
            assert_eq!(tps.len(), 2, "{}", db.name);
            // IV093: every product of the answer carries the VOW's referentie.
            assert!(tps
                .iter()
                .all(|t| t.referentie_aanbieder == Some(Referentie::new("W7").unwrap())));
            let gewijzigd = tps
                .iter()
                .find(|t| t.toewijzing_nummer.get() == begeleiding)
                .unwrap();
            assert_eq!(gewijzigd.einddatum, Some(d(2025, 6, 30)), "{}", db.name);
            assert_eq!(gewijzigd.ingangsdatum, d(2025, 3, 1));
            // WMO002 12: geïnitieerd door de aanbieder.
            assert_eq!(
                gewijzigd.reden_wijziging,
                Some(RedenWijziging::DoorAanbieder)
            );
            let ongewijzigd = tps
                .iter()
                .find(|t| t.toewijzing_nummer.get() == dagbest)
                .unwrap();
            assert_eq!(
                (ongewijzigd.einddatum, ongewijzigd.reden_wijziging),
                (Some(d(2025, 12, 31)), None)
            );
            // The stored toewijzing ends on 30 June; the verzoek is granted.
            let tw = s.toewijzingen_of(b).await.unwrap();
            let t = tw
                .iter()
                .find(|t| t.id == format!("VOT-{VIVENT}-R7"))
                .unwrap();
            assert_eq!(t.period.end(), Some(d(2025, 6, 30)), "{}", db.name);
            assert_eq!(tw.len(), 2, "changed in place, nothing added: {tw:?}");
            assert_eq!(verzoek_row(s, "W7").await.1, 1);
        }
    }

    #[tokio::test]
    async fn export_names_clients_from_stored_data_and_skips_those_without() {
        for db in backends().await {
            let s = &db.store;
            load_meierij(s).await;
            let met = client(s, 8, true, "07X01").await;
            let zonder = client(s, 9, false, "07X01").await;
            dagbesteding(s, met).await;
            dagbesteding(s, zonder).await;
            let target = ExportTarget::Aanbieder(VIVENT.into());
            let e = s
                .export_toewijzingen(&target, d(2025, 1, 1), &at_day(2025, 1, 6))
                .await
                .unwrap();
            assert!(e.invalid.is_empty(), "{:?}", e.invalid);
            assert_eq!(e.messages.len(), 1, "{}", db.name);
            let m = wmo301(&e.messages[0].xml);
            xmllint_301(&e.messages[0].xml);
            assert_eq!(m.client.bsn.as_str(), met.to_string());
            let p = persoon(8);
            assert_eq!(
                m.client.naam.geslachtsnaam.achternaam.as_str(),
                p.geslachtsnaam.achternaam.as_str()
            );
            assert_eq!(
                m.client.naam.voorletters.as_ref().unwrap().as_str(),
                p.voorletters.as_str()
            );
            assert_eq!(e.skipped.len(), 1, "{}", db.name);
            assert_eq!(e.skipped[0].bsn, zonder.to_string());
            assert_eq!(e.skipped[0].reason, SkipReason::NoPersoonsgegevens);
            // Once the BRP data is stored, the skipped client gets its WMO301; the other is unchanged.
            s.set_persoonsgegevens(zonder, &persoon(9), "brp")
                .await
                .unwrap();
            let e = s
                .export_toewijzingen(&target, d(2025, 1, 1), &at_day(2025, 1, 7))
                .await
                .unwrap();
            assert_eq!(
                (e.messages.len(), e.unchanged, e.skipped.len()),
                (1, 1, 0),
                "{}",
                db.name
            );
            let m = wmo301(&e.messages[0].xml);
            assert_eq!(m.client.bsn.as_str(), zonder.to_string());
            assert_eq!(s.persoonsgegevens(zonder).await.unwrap(), Some(persoon(9)));
        }
    }
}

// ------------------------------------------------------- deciding verzoeken

mod beslissen {
    //! A verzoek answered "in onderzoek" tracked until its final answer
    //! (OP274 for a WMO315, OP346 for a WMO317: 8 weeks after its
    //! dagtekening) and decided by a person: granted with a WMO301 holding
    //! all current toewijzingen, or refused with a WMO319 afgewezen.

    use super::verzoeken::*;
    use super::*;
    use regie_iwmo::model::Omvang as IOmvang;
    use regie_iwmo::types::{
        Eenheid, Frequentie as IFrequentie, RedenAfwijzingVerzoek, RedenWijziging, VerzoekAntwoord,
        Volume,
    };
    use regie_store::iwmo::{
        reden_afwijzing, Besluit, Deadline, ExportTarget, VerzoekError, VerzoekFilter,
        VerzoekSoort, VerzoekStatus,
    };
    use regie_store::StoreError;

    /// A WMO315 (dagtekening 2025-02-10) for 02X02 at 1 per week: not
    /// comparable with the beschikking's 1 per month, so in onderzoek.
    fn vot_per_week(b: regie_domain::Bsn, referentie: &str) -> String {
        vot(
            VIVENT,
            referentie,
            b,
            referentie,
            Some("02X02"),
            (1, IFrequentie::PerWeek),
            Some(d(2025, 12, 31)),
        )
    }

    async fn in_onderzoek(s: &Store, xml: &str) {
        let out = ingest_twice(s, xml, at_day(2025, 2, 11)).await;
        assert_eq!(out.answers.len(), 1);
        assert_eq!(
            wmo319(&out.answers[0]).verzoek_antwoord,
            VerzoekAntwoord::InOnderzoek
        );
    }

    async fn deadline(s: &Store, rule: &str, subject: &str, on: NaiveDate) -> Deadline {
        s.iwmo_deadlines(on)
            .await
            .unwrap()
            .into_iter()
            .find(|x| x.rule == rule && x.subject == subject)
            .unwrap_or_else(|| panic!("no {rule} {subject}"))
    }

    fn verzoek_error(e: StoreError) -> VerzoekError {
        match e {
            StoreError::Verzoek(v) => v,
            e => panic!("expected a verzoek error, got {e}"),
        }
    }

    async fn toewijzen(
        s: &Store,
        r: &str,
        einddatum: Option<NaiveDate>,
        when: IngestOptions,
    ) -> regie_store::Result<regie_store::iwmo::Beslist> {
        s.decide_verzoek(
            VIVENT,
            r,
            &Besluit::Toewijzen { einddatum },
            "J. de Vries",
            &when,
        )
        .await
    }

    async fn message_count(s: &Store) -> i64 {
        let (n,): (i64,) = sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM iwmo_messages")
            .fetch_one(s.pool())
            .await
            .unwrap();
        n
    }

    #[tokio::test]
    async fn onderzoek_is_listed_with_its_deadline_and_a_grant_sends_the_301() {
        for db in backends().await {
            let s = &db.store;
            load_meierij(s).await;
            let b = client(s, 11, true, "02X02").await;
            client(s, 11, true, "07X01").await;
            dagbesteding(s, b).await;
            in_onderzoek(s, &vot_per_week(b, "G1")).await;
            let verzoek_id: i64 = s
                .iwmo_verzoeken(&VerzoekFilter::default(), d(2025, 2, 11))
                .await
                .unwrap()[0]
                .message_id;

            // The first answer (the WMO319) met OP274; the final one is due 8
            // calendar weeks after the dagtekening 2025-02-10.
            let subject = format!("onderzoek:{VIVENT}:G1");
            let first = deadline(s, "OP274", &format!("verzoek:{VIVENT}:G1"), d(2025, 2, 11)).await;
            assert_eq!(first.status, DeadlineStatus::Met, "{}", db.name);
            let last = deadline(s, "OP274", &subject, d(2025, 2, 11)).await;
            assert_eq!(
                (last.due, last.status),
                (d(2025, 4, 7), DeadlineStatus::Open),
                "{}",
                db.name
            );
            assert_eq!(last.party, "gemeente");

            // The toegang's work list.
            let open = s
                .iwmo_verzoeken(
                    &VerzoekFilter {
                        open: true,
                        aanbieder: Some(VIVENT.into()),
                    },
                    d(2025, 2, 12),
                )
                .await
                .unwrap();
            assert_eq!(open.len(), 1, "{}: {open:?}", db.name);
            let v = &open[0];
            assert_eq!(
                (
                    v.soort,
                    v.status,
                    v.referentie.as_str(),
                    v.gemeente.as_str()
                ),
                (
                    VerzoekSoort::Toewijzing,
                    VerzoekStatus::InOnderzoek,
                    "G1",
                    DEN_BOSCH
                )
            );
            assert_eq!(v.bsn, b.to_string());
            assert_eq!(
                (v.dagtekening, v.ontvangen),
                (Some(d(2025, 2, 10)), d(2025, 2, 11))
            );
            assert_eq!(v.deadline.as_ref().unwrap().due, d(2025, 4, 7));
            assert!(
                v.onderzoek_reden
                    .as_deref()
                    .unwrap()
                    .contains("niet te vergelijken"),
                "{v:?}"
            );
            assert!(s
                .iwmo_verzoeken(
                    &VerzoekFilter {
                        open: true,
                        aanbieder: Some(KDV.into()),
                    },
                    d(2025, 2, 12),
                )
                .await
                .unwrap()
                .is_empty());

            // Beyond the beschikking's duur: not grantable, nothing written.
            let messages = message_count(s).await;
            let e = toewijzen(s, "G1", Some(d(2026, 6, 30)), at_day(2025, 3, 3))
                .await
                .unwrap_err();
            match verzoek_error(e) {
                VerzoekError::DoesNotFit { reden, .. } => {
                    assert_eq!(reden, RedenAfwijzingVerzoek::ZorginhoudelijkeAfkeur)
                }
                e => panic!("{}: {e}", db.name),
            }
            assert_eq!(message_count(s).await, messages);
            assert_eq!(s.toewijzingen_of(b).await.unwrap().len(), 1, "{}", db.name);

            // The person judges 1 per week fits and grants it until 30 September (IV094).
            let g = toewijzen(s, "G1", Some(d(2025, 9, 30)), at_day(2025, 3, 3))
                .await
                .unwrap();
            assert_eq!(g.status, VerzoekStatus::Toegewezen);
            assert_eq!(g.toewijzingen, vec![format!("VOT-{VIVENT}-G1")]);
            assert_eq!(
                g.file_name,
                format!("WMO301_{DEN_BOSCH}_{VIVENT}_RG{:010}.xml", g.message_id)
            );
            let m = wmo301(&g.xml);
            xmllint_301(&g.xml);
            // OP087: with the running dagbesteding, which carries no referentie (IV094).
            let tps = &m.client.toegewezen_producten;
            assert_eq!(tps.len(), 2, "{}", db.name);
            let nieuw = tps
                .iter()
                .find(|t| t.referentie_aanbieder.as_ref().map(|r| r.as_str()) == Some("G1"))
                .unwrap();
            assert_eq!(
                (nieuw.ingangsdatum, nieuw.einddatum),
                (d(2025, 3, 1), Some(d(2025, 9, 30)))
            );
            assert_eq!(
                nieuw.omvang.as_ref().unwrap().frequentie,
                IFrequentie::PerWeek
            );
            assert_eq!(
                tps.iter()
                    .filter(|t| t.referentie_aanbieder.is_none())
                    .count(),
                1
            );

            // Stored: the toewijzing, the verzoek granted, the final deadline met,
            // the WMO301 as an answer to the verzoek with its own OP090.
            let tw = s.toewijzingen_of(b).await.unwrap();
            let t = tw
                .iter()
                .find(|t| t.id == format!("VOT-{VIVENT}-G1"))
                .unwrap();
            assert_eq!(t.period.end(), Some(d(2025, 9, 30)));
            assert_eq!(verzoek_row(s, "G1").await, ("2".into(), 1));
            let last = deadline(s, "OP274", &subject, d(2025, 3, 3)).await;
            assert_eq!(
                (last.status, last.fulfilled),
                (DeadlineStatus::Met, Some(d(2025, 3, 3)))
            );
            assert_eq!(g.deadline, Some(last));
            let retour = deadline(
                s,
                "OP090",
                &format!("retour:{}", g.message_id),
                d(2025, 3, 3),
            )
            .await;
            assert_eq!(
                (retour.party.as_str(), retour.status),
                ("aanbieder", DeadlineStatus::Open)
            );
            let (direction, t, reply, raw): (String, String, Option<i64>, String) = sqlx::query_as(
                "SELECT direction, message_type, in_reply_to, raw_xml FROM iwmo_messages WHERE id = $1",
            )
            .bind(g.message_id)
            .fetch_one(s.pool())
            .await
            .unwrap();
            assert_eq!(
                (direction.as_str(), t.as_str(), reply),
                ("out", "WMO301", Some(verzoek_id))
            );
            assert_eq!(raw, g.xml);
            // Who decided is on record.
            let audit = s.audit_for(&format!("verzoek/{VIVENT}/G1")).await.unwrap();
            let last_audit = audit.last().unwrap();
            assert_eq!(
                (last_audit.actor.as_str(), last_audit.action.as_str()),
                ("J. de Vries", "verzoek.toegewezen")
            );
            let audit = s
                .audit_for(&format!("toewijzing/VOT-{VIVENT}-G1"))
                .await
                .unwrap();
            assert_eq!(audit[0].actor, "J. de Vries");
            let all = s
                .iwmo_verzoeken(&VerzoekFilter::default(), d(2025, 3, 3))
                .await
                .unwrap();
            assert_eq!(all[0].status, VerzoekStatus::Toegewezen);
            assert_eq!(
                (all[0].beslist_door.as_deref(), all[0].beslist_op),
                (Some("J. de Vries"), Some(d(2025, 3, 3)))
            );
            assert!(s
                .iwmo_verzoeken(
                    &VerzoekFilter {
                        open: true,
                        aanbieder: None
                    },
                    d(2025, 3, 3)
                )
                .await
                .unwrap()
                .is_empty());
            // The export has nothing new: the answer was the WMO301.
            let e = s
                .export_toewijzingen(
                    &ExportTarget::Aanbieder(VIVENT.into()),
                    d(2025, 1, 1),
                    &at_day(2025, 3, 4),
                )
                .await
                .unwrap();
            assert_eq!((e.messages.len(), e.unchanged), (0, 1), "{}", db.name);
            // The verzoek's bytes again: its answers now end with the final one.
            let again = s
                .ingest(vot_per_week(b, "G1").as_bytes(), &at_day(2025, 3, 5))
                .await
                .unwrap();
            assert!(again.replayed);
            assert_eq!(again.answers.len(), 2, "{}", db.name);
            assert_eq!(again.answers[1], g.xml);

            // Decided once: a second decision, either way, is refused.
            let messages = message_count(s).await;
            for besluit in [
                Besluit::Toewijzen { einddatum: None },
                Besluit::Afwijzen {
                    reden: RedenAfwijzingVerzoek::ZorginhoudelijkeAfkeur,
                    toelichting: None,
                },
            ] {
                let e = s
                    .decide_verzoek(VIVENT, "G1", &besluit, "K. Jansen", &at_day(2025, 3, 5))
                    .await
                    .unwrap_err();
                let text = e.to_string();
                match verzoek_error(e) {
                    VerzoekError::AlreadyDecided { status, door, .. } => {
                        assert_eq!(status, VerzoekStatus::Toegewezen);
                        assert_eq!(door.as_deref(), Some("J. de Vries"));
                    }
                    e => panic!("{}: {e}", db.name),
                }
                assert!(
                    text.contains("already decided: toegewezen by J. de Vries on 2025-03-03"),
                    "{text}"
                );
            }
            assert_eq!(message_count(s).await, messages);
        }
    }

    #[tokio::test]
    async fn a_grant_without_brp_data_fails_and_leaves_nothing_until_it_is_stored() {
        for db in backends().await {
            let s = &db.store;
            load_meierij(s).await;
            let b = client(s, 12, false, "02X02").await;
            in_onderzoek(
                s,
                &vot(
                    VIVENT,
                    "P1",
                    b,
                    "P1",
                    Some("02X02"),
                    (1, IFrequentie::PerMaand),
                    Some(d(2025, 12, 31)),
                ),
            )
            .await;
            let before = s.iwmo_counts().await.unwrap();
            let e = toewijzen(s, "P1", None, at_day(2025, 2, 20))
                .await
                .unwrap_err();
            assert!(
                e.to_string().contains("persoonsgegevens"),
                "{}: {e}",
                db.name
            );
            assert!(matches!(verzoek_error(e), VerzoekError::CannotGrant { .. }));
            assert_eq!(s.iwmo_counts().await.unwrap(), before, "{}", db.name);
            assert!(
                s.toewijzingen_of(b).await.unwrap().is_empty(),
                "{}",
                db.name
            );
            assert_eq!(verzoek_row(s, "P1").await, ("2".into(), 0));
            // Once the BRP data is stored, the same decision goes through.
            s.set_persoonsgegevens(b, &persoon(12), "brp")
                .await
                .unwrap();
            let g = toewijzen(s, "P1", None, at_day(2025, 2, 20)).await.unwrap();
            xmllint_301(&g.xml);
            assert_eq!(wmo301(&g.xml).client.toegewezen_producten.len(), 1);
            assert_eq!(verzoek_row(s, "P1").await, ("2".into(), 1));
        }
    }

    #[tokio::test]
    async fn onderzoek_refused_by_a_person_gets_a_319_afgewezen() {
        for db in backends().await {
            let s = &db.store;
            load_meierij(s).await;
            let b = client(s, 13, true, "02X02").await;
            in_onderzoek(s, &vot_per_week(b, "N1")).await;

            // Codes outside the list, and codes of the list that do not fit a Wmo VOT.
            for bad in ["10", "x", "", "03"] {
                assert!(
                    matches!(reden_afwijzing(bad), Err(VerzoekError::UnknownReden(_))),
                    "{bad:?}"
                );
            }
            for code in ["8", "1"] {
                let e = s
                    .decide_verzoek(
                        VIVENT,
                        "N1",
                        &Besluit::Afwijzen {
                            reden: reden_afwijzing(code).unwrap(),
                            toelichting: None,
                        },
                        "A. Bakker",
                        &at_day(2025, 3, 20),
                    )
                    .await
                    .unwrap_err();
                assert!(
                    matches!(verzoek_error(e), VerzoekError::RedenNotApplicable { .. }),
                    "{code}"
                );
            }
            // Who decides must be named; an unknown verzoek is said to be unknown.
            let refuse = Besluit::Afwijzen {
                reden: reden_afwijzing("7").unwrap(),
                toelichting: Some("meer dan de beschikte begeleiding".into()),
            };
            let e = s
                .decide_verzoek(VIVENT, "N1", &refuse, " ", &at_day(2025, 3, 20))
                .await
                .unwrap_err();
            assert_eq!(verzoek_error(e), VerzoekError::NoDecider);
            let e = s
                .decide_verzoek(VIVENT, "NOPE", &refuse, "A. Bakker", &at_day(2025, 3, 20))
                .await
                .unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("no verzoek \"NOPE\" of aanbieder {VIVENT} is known")
            );
            assert!(matches!(verzoek_error(e), VerzoekError::NotFound { .. }));

            let r = s
                .decide_verzoek(VIVENT, "N1", &refuse, "A. Bakker", &at_day(2025, 3, 20))
                .await
                .unwrap();
            assert_eq!(
                (r.status, r.toewijzingen.len()),
                (VerzoekStatus::Afgewezen, 0)
            );
            xmllint(&r.xml, "WMO319");
            let a = wmo319(&r.xml);
            assert_eq!(
                (
                    a.verzoek_antwoord,
                    a.reden_afwijzing_verzoek,
                    a.referentie_aanbieder.as_str()
                ),
                (
                    VerzoekAntwoord::Afgewezen,
                    Some(RedenAfwijzingVerzoek::ZorginhoudelijkeAfkeur),
                    "N1"
                )
            );
            // Onderzoek, then afgewezen (TR365); nothing assigned; final deadline met.
            assert_eq!(verzoek_row(s, "N1").await, ("2,1".into(), 0), "{}", db.name);
            assert!(s.toewijzingen_of(b).await.unwrap().is_empty());
            let last = deadline(
                s,
                "OP274",
                &format!("onderzoek:{VIVENT}:N1"),
                d(2025, 3, 20),
            )
            .await;
            assert_eq!(last.status, DeadlineStatus::Met);
            let v = &s
                .iwmo_verzoeken(&VerzoekFilter::default(), d(2025, 3, 20))
                .await
                .unwrap()[0];
            assert_eq!(v.status, VerzoekStatus::Afgewezen);
            assert_eq!(
                v.reden_afwijzing,
                Some(RedenAfwijzingVerzoek::ZorginhoudelijkeAfkeur)
            );
            assert_eq!(
                v.toelichting.as_deref(),
                Some("meer dan de beschikte begeleiding")
            );
            assert_eq!(v.beslist_door.as_deref(), Some("A. Bakker"));
            assert!(
                v.onderzoek_reden.is_some(),
                "why it went into onderzoek stays on record"
            );
            let audit = s.audit_for(&format!("verzoek/{VIVENT}/N1")).await.unwrap();
            assert_eq!(audit.last().unwrap().actor, "A. Bakker");
            assert!(
                audit.last().unwrap().detail.starts_with("reden 7 "),
                "{audit:?}"
            );
            // A second decision is refused.
            let e = toewijzen(s, "N1", None, at_day(2025, 3, 21))
                .await
                .unwrap_err();
            assert!(matches!(
                verzoek_error(e),
                VerzoekError::AlreadyDecided {
                    status: VerzoekStatus::Afgewezen,
                    ..
                }
            ));

            // A verzoek refused on receipt was decided then, automatically.
            let zonder = client(s, 14, true, "07X01").await;
            ingest_twice(
                s,
                &vot(
                    VIVENT,
                    "N2",
                    zonder,
                    "N2",
                    Some("02X02"),
                    (1, IFrequentie::PerMaand),
                    None,
                ),
                at_day(2025, 2, 11),
            )
            .await;
            let e = toewijzen(s, "N2", None, at_day(2025, 3, 21))
                .await
                .unwrap_err();
            match verzoek_error(e) {
                VerzoekError::AlreadyDecided {
                    status, door, op, ..
                } => assert_eq!(
                    (status, door.as_deref(), op),
                    (
                        VerzoekStatus::Afgewezen,
                        Some("iwmo verzoek"),
                        Some(d(2025, 2, 11))
                    )
                ),
                e => panic!("{e}"),
            }
        }
    }

    #[tokio::test]
    async fn a_missed_final_answer_deadline_is_reported() {
        for db in backends().await {
            let s = &db.store;
            load_meierij(s).await;
            let b = client(s, 15, true, "02X02").await;
            in_onderzoek(s, &vot_per_week(b, "M1")).await;
            let subject = format!("onderzoek:{VIVENT}:M1");
            // Due 2025-04-07: open on the day, overdue after it.
            assert_eq!(
                deadline(s, "OP274", &subject, d(2025, 4, 7)).await.status,
                DeadlineStatus::Open
            );
            let missed = deadline(s, "OP274", &subject, d(2025, 4, 8)).await;
            assert_eq!(
                (missed.status, missed.fulfilled),
                (DeadlineStatus::Overdue, None),
                "{}",
                db.name
            );
            let v = &s
                .iwmo_verzoeken(
                    &VerzoekFilter {
                        open: true,
                        aanbieder: None,
                    },
                    d(2025, 4, 8),
                )
                .await
                .unwrap()[0];
            assert_eq!(v.deadline.as_ref().unwrap().status, DeadlineStatus::Overdue);
            // Decided late: reported as late, not as met.
            let r = s
                .decide_verzoek(
                    VIVENT,
                    "M1",
                    &Besluit::Afwijzen {
                        reden: RedenAfwijzingVerzoek::ZorginhoudelijkeAfkeur,
                        toelichting: None,
                    },
                    "A. Bakker",
                    &at_day(2025, 4, 10),
                )
                .await
                .unwrap();
            let late = r.deadline.unwrap();
            assert_eq!(
                (late.status, late.fulfilled),
                (DeadlineStatus::Late, Some(d(2025, 4, 10)))
            );
            assert_eq!(
                deadline(s, "OP274", &subject, d(2025, 5, 1)).await.status,
                DeadlineStatus::Late
            );
        }
    }

    #[tokio::test]
    async fn verzoek_om_wijziging_in_onderzoek_is_tracked_under_op346_and_granted_as_a_whole() {
        for db in backends().await {
            let s = &db.store;
            load_meierij(s).await;
            let (b, begeleiding, dagbest) = begeleiding_en_dagbesteding(s, 16).await;
            // From May: 1 per week instead of 1 per month, not comparable: onderzoek.
            let w = vow_begeleiding(
                16,
                b,
                (begeleiding, dagbest),
                (d(2025, 5, 1), d(2025, 12, 31)),
                IFrequentie::PerWeek,
            );
            let out = ingest_twice(s, &w.to_xml(), at_day(2025, 4, 2)).await;
            assert_eq!(
                wmo319(&out.answers[0]).verzoek_antwoord,
                VerzoekAntwoord::InOnderzoek,
                "{}",
                db.name
            );
            // OP346, not OP274: the verzoek om wijziging's own rule.
            let all = s.iwmo_deadlines(d(2025, 4, 2)).await.unwrap();
            assert!(
                !all.iter()
                    .any(|x| x.rule == "OP274" && x.subject.ends_with(":W16")),
                "{all:?}"
            );
            assert_eq!(
                deadline(s, "OP346", &format!("verzoek:{VIVENT}:W16"), d(2025, 4, 2))
                    .await
                    .status,
                DeadlineStatus::Met
            );
            let last = deadline(
                s,
                "OP346",
                &format!("onderzoek:{VIVENT}:W16"),
                d(2025, 4, 2),
            )
            .await;
            assert_eq!(
                (last.due, last.status),
                (d(2025, 5, 27), DeadlineStatus::Open)
            );
            let v = s
                .iwmo_verzoeken(
                    &VerzoekFilter {
                        open: true,
                        aanbieder: None,
                    },
                    d(2025, 4, 2),
                )
                .await
                .unwrap();
            assert_eq!(v.len(), 1);
            assert_eq!(
                (v[0].soort, v[0].referentie.as_str()),
                (VerzoekSoort::Wijziging, "W16")
            );

            // A VOW is granted as asked (IV093): no other einddatum.
            let e = toewijzen(s, "W16", Some(d(2025, 10, 31)), at_day(2025, 4, 15))
                .await
                .unwrap_err();
            assert!(matches!(
                verzoek_error(e),
                VerzoekError::EinddatumOnWijziging { .. }
            ));
            let g = toewijzen(s, "W16", None, at_day(2025, 4, 15))
                .await
                .unwrap();
            xmllint_301(&g.xml);
            let tps = wmo301(&g.xml).client.toegewezen_producten;
            // The current begeleiding ends on 30 April, a new one runs from 1 May; all with W16.
            assert_eq!(tps.len(), 3, "{}: {tps:?}", db.name);
            assert!(tps
                .iter()
                .all(|t| t.referentie_aanbieder.as_ref().map(|r| r.as_str()) == Some("W16")));
            let oud = tps
                .iter()
                .find(|t| t.toewijzing_nummer.get() == begeleiding)
                .unwrap();
            assert_eq!(
                (oud.einddatum, oud.reden_wijziging),
                (Some(d(2025, 4, 30)), Some(RedenWijziging::DoorAanbieder))
            );
            let nieuw = tps
                .iter()
                .find(|t| {
                    t.toewijzing_nummer.get() != begeleiding && t.toewijzing_nummer.get() != dagbest
                })
                .unwrap();
            assert_eq!(
                (
                    nieuw.ingangsdatum,
                    nieuw.omvang.as_ref().unwrap().frequentie
                ),
                (d(2025, 5, 1), IFrequentie::PerWeek)
            );
            assert_eq!(g.toewijzingen.len(), 2);
            assert_eq!(verzoek_row(s, "W16").await.1, 1);
            let last = deadline(
                s,
                "OP346",
                &format!("onderzoek:{VIVENT}:W16"),
                d(2025, 4, 15),
            )
            .await;
            assert_eq!(last.status, DeadlineStatus::Met);
        }
    }

    #[tokio::test]
    async fn a_vow_changing_the_omvang_from_its_start_can_only_be_refused() {
        for db in backends().await {
            let s = &db.store;
            load_meierij(s).await;
            let b = client(s, 17, true, "02X02").await;
            let out = ingest_twice(
                s,
                &vot(
                    VIVENT,
                    "VOT17",
                    b,
                    "R17",
                    Some("02X02"),
                    (1, IFrequentie::PerMaand),
                    Some(d(2025, 12, 31)),
                ),
                at_day(2025, 2, 11),
            )
            .await;
            let nummer = wmo301(&out.answers[0]).client.toegewezen_producten[0]
                .toewijzing_nummer
                .get();
            // 1 per week from the toewijzing's first day.
            let mut w = sample::verzoek_wijziging(&partijen(VIVENT), "VOW17", b, "W17", nummer);
            w.header.bericht_identificatie.dagtekening = d(2025, 4, 1);
            let p = &mut w.client.verzoek.te_wijzigen_producten[0];
            p.gewenste_ingangsdatum = d(2025, 3, 1);
            p.einddatum = Some(d(2025, 12, 31));
            p.omvang = Some(IOmvang {
                volume: Volume::new(1).unwrap(),
                eenheid: Eenheid::StuksOutput,
                frequentie: IFrequentie::PerWeek,
            });
            let out = ingest_twice(s, &w.to_xml(), at_day(2025, 4, 2)).await;
            assert_eq!(
                wmo319(&out.answers[0]).verzoek_antwoord,
                VerzoekAntwoord::InOnderzoek,
                "{}",
                db.name
            );
            let e = toewijzen(s, "W17", None, at_day(2025, 4, 10))
                .await
                .unwrap_err();
            assert!(e.to_string().contains("IV093"), "{e}");
            assert!(matches!(verzoek_error(e), VerzoekError::CannotGrant { .. }));
            // Reden 1 fits a verzoek om wijziging.
            let r = s
                .decide_verzoek(
                    VIVENT,
                    "W17",
                    &Besluit::Afwijzen {
                        reden: reden_afwijzing("1").unwrap(),
                        toelichting: Some("nieuwe omvang vanaf de start: stuur een VOT".into()),
                    },
                    "A. Bakker",
                    &at_day(2025, 4, 10),
                )
                .await
                .unwrap();
            xmllint(&r.xml, "WMO319");
            assert_eq!(
                wmo319(&r.xml).reden_afwijzing_verzoek,
                Some(RedenAfwijzingVerzoek::NieuweAanvraag)
            );
            assert_eq!(verzoek_row(s, "W17").await, ("2,1".into(), 0));
            let last = deadline(
                s,
                "OP346",
                &format!("onderzoek:{VIVENT}:W17"),
                d(2025, 4, 10),
            )
            .await;
            assert_eq!(last.status, DeadlineStatus::Met);
            // The toewijzing is unchanged.
            let tw = s.toewijzingen_of(b).await.unwrap();
            assert_eq!(tw.len(), 1);
            assert_eq!(tw[0].period.end(), Some(d(2025, 12, 31)));
        }
    }
}

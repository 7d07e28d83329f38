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

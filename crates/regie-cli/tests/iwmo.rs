//! `regie iwmo` end to end on a temporary SQLite file: load a region,
//! simulate, export WMO301s, validate them, ingest a start and a broken file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn regie(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regie"))
        .arg("--db")
        .arg(db)
        .arg("--quiet")
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("run regie")
}

fn xml_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    v.sort();
    v
}

#[test]
fn export_validate_and_ingest() {
    let tmp = std::env::temp_dir().join(format!("regie-iwmo-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let db = format!("sqlite://{}", tmp.join("r.sqlite").display());
    let ok = |o: &Output| {
        assert!(
            o.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    ok(&regie(&db, &["region", "load", "regions/amersfoort.toml"]));
    ok(&regie(&db, &["region", "load", "regions/meierij.toml"]));
    for r in ["amersfoort", "meierij"] {
        ok(&regie(
            &db,
            &[
                "simulate",
                "--region",
                &format!("regions/{r}.toml"),
                "--clients",
                "60",
                "--seed",
                "7",
            ],
        ));
    }
    // Amersfoort's simulated care is taakgericht: no WMO301 per client (OP086).
    let out_a = tmp.join("out-a");
    let o = regie(
        &db,
        &[
            "iwmo",
            "export",
            "--to",
            "0307",
            "--since",
            "2000-01-01",
            "--out",
            out_a.to_str().unwrap(),
        ],
    );
    ok(&o);
    assert!(
        xml_in(&out_a).is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // An outputgericht provider of Meierij gets WMO301s.
    let out = tmp.join("out");
    let o = regie(
        &db,
        &[
            "iwmo",
            "export",
            "--to",
            "99040102",
            "--since",
            "2000-01-01",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    ok(&o);
    let files = xml_in(&out);
    assert!(!files.is_empty(), "{}", String::from_utf8_lossy(&o.stdout));
    // Exporting again sends nothing new (unchanged toewijzingen).
    let out2 = tmp.join("out2");
    ok(&regie(
        &db,
        &[
            "iwmo",
            "export",
            "--to",
            "99040102",
            "--since",
            "2000-01-01",
            "--out",
            out2.to_str().unwrap(),
        ],
    ));
    assert!(xml_in(&out2).is_empty());
    let mut args = vec!["iwmo", "validate", "--variant", "outputgericht"];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let v = regie(&db, &args);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    // JSON form.
    args.push("--json");
    let j: serde_json::Value = serde_json::from_slice(&regie(&db, &args).stdout).unwrap();
    assert!(j.as_array().unwrap().iter().all(|r| r["ok"] == true));

    // The provider starts care on the first toewijzing: a WMO305 built from the WMO301.
    let first = std::fs::read_to_string(&files[0]).unwrap();
    let b = regie_iwmo::bericht::parse(first.as_bytes()).unwrap();
    let regie_iwmo::bericht::Bericht::Wmo301(m) = b else {
        panic!()
    };
    let tp = &m.client.toegewezen_producten[0];
    let p = regie_iwmo::sample::Partijen {
        gemeente: m.header.afzender.clone(),
        aanbieder: m.header.ontvanger.clone(),
    };
    let bsn: regie_domain::Bsn = m.client.bsn.as_str().parse().unwrap();
    let mut start = regie_iwmo::sample::start(&p, "START1", bsn, tp.toewijzing_nummer.get());
    start.client.geboortedatum = m.client.geboortedatum.clone();
    let sp = &mut start.client.start_producten[0];
    sp.product = tp.product.clone();
    sp.toewijzing_ingangsdatum = Some(tp.ingangsdatum);
    sp.begindatum = tp.ingangsdatum;
    start.header.bericht_identificatie.dagtekening = tp.ingangsdatum;
    let inbox = tmp.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("a-start.xml"), start.to_xml()).unwrap();
    let retours = tmp.join("retours");
    let i = regie(
        &db,
        &[
            "iwmo",
            "ingest",
            inbox.to_str().unwrap(),
            "--out",
            retours.to_str().unwrap(),
        ],
    );
    assert_eq!(
        i.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&i.stdout)
    );
    let r = std::fs::read_to_string(retours.join("a-start.retour.xml")).unwrap();
    assert!(r.contains("0200"), "{r}");
    // A broken file (a BSN failing the 11-proef) next to it: rejected, exit 1, retour written; the start is replayed.
    let broken = start
        .to_xml()
        .replace(m.client.bsn.as_str(), "123456789")
        .replace("START1", "START2");
    std::fs::write(inbox.join("b-broken.xml"), broken).unwrap();
    let i = regie(
        &db,
        &[
            "iwmo",
            "ingest",
            inbox.to_str().unwrap(),
            "--out",
            retours.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&i.stdout);
    assert_eq!(i.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("1 already processed"), "{stdout}");
    let r = std::fs::read_to_string(retours.join("b-broken.retour.xml")).unwrap();
    assert!(stdout.contains("rejected"), "{stdout}");
    assert!(r.to_lowercase().contains("wmo306"), "{r}");
    // Deadlines report runs.
    let d = regie(&db, &["iwmo", "deadlines", "--on", "2030-01-01"]);
    ok(&d);
    assert!(String::from_utf8_lossy(&d.stdout).contains("OP271"));
    let _ = std::fs::remove_dir_all(&tmp);
}

/// A WMO317 shortening a simulated toewijzing is answered by `regie iwmo
/// ingest` with a WMO301 (not a WMO319); the export names clients from their
/// stored BRP data and lists a client without it as skipped.
#[test]
fn verzoek_om_wijziging_gets_a_301_and_export_reports_clients_without_brp_data() {
    let tmp = std::env::temp_dir().join(format!("regie-iwmo-vow-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let db = format!("sqlite://{}", tmp.join("r.sqlite").display());
    let ok = |o: &Output| {
        assert!(
            o.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    ok(&regie(&db, &["region", "load", "regions/meierij.toml"]));
    ok(&regie(
        &db,
        &[
            "simulate",
            "--region",
            "regions/meierij.toml",
            "--clients",
            "80",
            "--seed",
            "11",
        ],
    ));
    let out = tmp.join("out");
    let o = regie(
        &db,
        &[
            "iwmo",
            "export",
            "--to",
            "99040102",
            "--since",
            "2000-01-01",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    ok(&o);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("; 0 skipped;"), "{stdout}");
    let files = xml_in(&out);
    assert!(files.len() >= 2, "{stdout}");
    let read = |f: &Path| {
        let x = std::fs::read_to_string(f).unwrap();
        assert!(
            !x.contains("Onbekend"),
            "placeholder data in {}",
            f.display()
        );
        match regie_iwmo::bericht::parse(x.as_bytes()).unwrap() {
            regie_iwmo::bericht::Bericht::Wmo301(m) => m,
            _ => panic!("not a WMO301"),
        }
    };
    let m = read(&files[0]);

    // The aanbieder asks to end the first toewijzing two weeks after it starts.
    let tp = &m.client.toegewezen_producten[0];
    let dag = tp.ingangsdatum;
    let eind = dag + chrono::Days::new(14);
    let p = regie_iwmo::sample::Partijen {
        gemeente: m.header.afzender.clone(),
        aanbieder: m.header.ontvanger.clone(),
    };
    let bsn: regie_domain::Bsn = m.client.bsn.as_str().parse().unwrap();
    let mut w =
        regie_iwmo::sample::verzoek_wijziging(&p, "VOW1", bsn, "W1", tp.toewijzing_nummer.get());
    w.header.bericht_identificatie.dagtekening = dag;
    let tw = &mut w.client.verzoek.te_wijzigen_producten[0];
    tw.gewenste_ingangsdatum = dag;
    tw.einddatum = Some(eind);
    tw.omvang = tp.omvang.clone();
    // TR349: every other toewijzing current on the dagtekening is named as unchanged.
    w.client.verzoek.ongewijzigde_producten = m.client.toegewezen_producten[1..]
        .iter()
        .filter(|t| t.einddatum.is_none_or(|e| e >= dag) && t.ingangsdatum <= dag)
        .map(|t| regie_iwmo::model::OngewijzigdProduct {
            toewijzing_nummer: t.toewijzing_nummer,
            retourcodes: vec![],
        })
        .collect();
    let inbox = tmp.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("vow.xml"), w.to_xml()).unwrap();
    let answers = tmp.join("answers");
    let i = regie(
        &db,
        &[
            "iwmo",
            "ingest",
            inbox.to_str().unwrap(),
            "--out",
            answers.to_str().unwrap(),
        ],
    );
    ok(&i);
    let stdout = String::from_utf8_lossy(&i.stdout);
    assert!(stdout.contains("1 retour(s) and 1 answer(s)"), "{stdout}");
    let answer = answers.join("vow.answer1.xml");
    let a = read(&answer);
    let changed = a
        .client
        .toegewezen_producten
        .iter()
        .find(|t| t.toewijzing_nummer == tp.toewijzing_nummer)
        .expect("the changed toewijzing is in the answer");
    assert_eq!(changed.einddatum, Some(eind));
    assert_eq!(
        changed.reden_wijziging,
        Some(regie_iwmo::types::RedenWijziging::DoorAanbieder)
    );
    assert_eq!(
        changed.referentie_aanbieder.as_ref().map(|r| r.as_str()),
        Some("W1")
    );
    assert_eq!(a.client.naam, m.client.naam, "named as in the export");
    let v = regie(
        &db,
        &[
            "iwmo",
            "validate",
            "--variant",
            "outputgericht",
            answer.to_str().unwrap(),
        ],
    );
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );

    // A client whose BRP data is gone and whose toewijzing changed: skipped, said so.
    let other = read(&files[1]);
    let other_bsn: regie_domain::Bsn = other.client.bsn.as_str().parse().unwrap();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = regie_store::Store::open(&db).await.unwrap();
        assert!(store
            .clear_persoonsgegevens(other_bsn, "test")
            .await
            .unwrap());
        let t = store
            .toewijzingen_of(other_bsn)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.provider == "99040102")
            .unwrap();
        store
            .end_toewijzing(
                &t.id,
                t.period.start(),
                regie_domain::RedenWijziging(5),
                "test",
            )
            .await
            .unwrap();
        store.close().await;
    });
    let out2 = tmp.join("out2");
    let o = regie(
        &db,
        &[
            "iwmo",
            "export",
            "--to",
            "99040102",
            "--since",
            "2000-01-01",
            "--out",
            out2.to_str().unwrap(),
        ],
    );
    ok(&o);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("0 WMO301 written"), "{stdout}");
    assert!(stdout.contains("; 1 skipped;"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "skipped {}/99040102/{other_bsn}: no personal data",
            other.header.afzender
        )),
        "{stdout}"
    );
    assert!(xml_in(&out2).is_empty());
    let _ = std::fs::remove_dir_all(&tmp);
}

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

/// `regie iwmo export --to TO --since 2000-01-01 --out OUT`: everything running.
fn export_since_2000(db: &str, to: &str, out: &Path) -> Output {
    regie(
        db,
        &[
            "iwmo",
            "export",
            "--to",
            to,
            "--since",
            "2000-01-01",
            "--out",
            out.to_str().unwrap(),
        ],
    )
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
    let o = export_since_2000(&db, "0307", &out_a);
    ok(&o);
    assert!(
        xml_in(&out_a).is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // An outputgericht provider of Meierij gets WMO301s.
    let out = tmp.join("out");
    let o = export_since_2000(&db, "99040102", &out);
    ok(&o);
    let files = xml_in(&out);
    assert!(!files.is_empty(), "{}", String::from_utf8_lossy(&o.stdout));
    // Exporting again sends nothing new (unchanged toewijzingen).
    let out2 = tmp.join("out2");
    ok(&export_since_2000(&db, "99040102", &out2));
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
    let o = export_since_2000(&db, "99040102", &out);
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
    let o = export_since_2000(&db, "99040102", &out2);
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

/// A WMO315 the ingest takes into onderzoek (an omvang per week against a
/// beschikking per month) is listed by `regie iwmo verzoeken` with its OP274
/// final-answer deadline, granted by `regie iwmo verzoek decide` with a valid
/// WMO301, and cannot be decided twice.
#[test]
fn verzoek_in_onderzoek_is_listed_and_decided_by_hand() {
    use regie_iwmo::types::{Eenheid, Frequentie, ProductCategorie, ProductCode, Volume};
    let tmp = std::env::temp_dir().join(format!("regie-iwmo-besluit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let db = format!("sqlite://{}", tmp.join("r.sqlite").display());
    let ok = |o: &Output| -> String {
        assert!(
            o.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let fails = |o: &Output, text: &str| {
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success(),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert!(stderr.contains(text), "{stderr}");
    };
    ok(&regie(&db, &["region", "load", "regions/meierij.toml"]));
    // A client of 's-Hertogenbosch with BRP data and a beschikking for
    // individuele begeleiding Basis, 1 client-month per month, this year.
    let today = chrono::Utc::now().date_naive();
    let bsn = regie_iwmo::sample::bsn(501);
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = regie_store::Store::open(&db).await.unwrap();
        let c = regie_domain::Client::new(
            bsn,
            chrono::NaiveDate::from_ymd_opt(1958, 6, 1).unwrap(),
            "0796".parse().unwrap(),
            chrono::NaiveDate::from_ymd_opt(2001, 1, 1).unwrap(),
        );
        let p = regie_sim::persoon::persoonsgegevens(3, 501, "'s-Hertogenbosch");
        store
            .add_client("meierij", &c, Some(&p), "test")
            .await
            .unwrap();
        store
            .add_beschikking(
                "meierij",
                &regie_domain::Beschikking {
                    id: "B501".into(),
                    client: bsn,
                    aard: "individuele begeleiding".into(),
                    product: regie_domain::ProductRef {
                        categorie: "02".parse().unwrap(),
                        code: Some("02X02".parse().unwrap()),
                    },
                    intensiteit: Some(regie_domain::Omvang {
                        volume: 1,
                        unit: regie_domain::Unit::StuksOutput,
                        frequentie: regie_domain::Frequentie::PerMaand,
                    }),
                    duur: regie_domain::Period::new(
                        today - chrono::Days::new(30),
                        Some(today + chrono::Days::new(365)),
                    )
                    .unwrap(),
                    decided_on: today - chrono::Days::new(30),
                    motivation: "test".into(),
                    rechtsmiddelen: "bezwaar binnen zes weken".into(),
                },
                "test",
            )
            .await
            .unwrap();
        store.close().await;
    });
    let p = regie_iwmo::sample::Partijen {
        gemeente: "0796".parse::<regie_domain::Gemeentecode>().unwrap().into(),
        aanbieder: "99040102".parse::<regie_domain::AgbCode>().unwrap().into(),
    };
    let mut m = regie_iwmo::sample::verzoek_toewijzing(&p, "VOTCLI1", bsn, "CLI1");
    m.header.bericht_identificatie.dagtekening = today;
    let ap = &mut m.client.aangevraagde_producten[0];
    ap.product = Some(regie_iwmo::model::Product {
        categorie: ProductCategorie::from_code("02").unwrap(),
        code: Some(ProductCode::new("02X02").unwrap()),
    });
    ap.toewijzing_ingangsdatum = today + chrono::Days::new(7);
    ap.toewijzing_einddatum = Some(today + chrono::Days::new(180));
    ap.omvang = Some(regie_iwmo::model::Omvang {
        volume: Volume::new(1).unwrap(),
        eenheid: Eenheid::StuksOutput,
        frequentie: Frequentie::PerWeek,
    });
    let inbox = tmp.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("vot.xml"), m.to_xml()).unwrap();
    let answers = tmp.join("answers");
    ok(&regie(
        &db,
        &[
            "iwmo",
            "ingest",
            inbox.to_str().unwrap(),
            "--out",
            answers.to_str().unwrap(),
        ],
    ));
    let answer = std::fs::read_to_string(answers.join("vot.answer1.xml")).unwrap();
    assert!(
        answer.contains("WMO319") || answer.contains("wmo319"),
        "{answer}"
    );

    // Listed as in onderzoek, with the final answer due 8 weeks after the dagtekening.
    let due = (today + chrono::Days::new(56)).to_string();
    let table = ok(&regie(&db, &["iwmo", "verzoeken", "--open"]));
    assert!(
        table.contains("1 waiting for their final answer"),
        "{table}"
    );
    assert!(table.contains("in onderzoek"), "{table}");
    assert!(table.contains(&bsn.to_string()), "{table}");
    assert!(table.contains(&format!("OP274 due {due} open")), "{table}");
    assert!(table.contains("onderzoek: omvang"), "{table}");
    let j: serde_json::Value = serde_json::from_str(&ok(&regie(
        &db,
        &[
            "iwmo",
            "verzoeken",
            "--open",
            "--aanbieder",
            "99040102",
            "--json",
        ],
    )))
    .unwrap();
    let rows = j.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{j}");
    assert_eq!(rows[0]["status"], "in onderzoek");
    assert_eq!(rows[0]["soort"], "VOT");
    assert_eq!(rows[0]["referentie"], "CLI1");
    assert_eq!(rows[0]["gemeente"], "0796");
    assert_eq!(rows[0]["deadline"]["rule"], "OP274");
    assert_eq!(rows[0]["deadline"]["due"], due.as_str());
    assert!(rows[0]["onderzoek_reden"]
        .as_str()
        .unwrap()
        .contains("niet te vergelijken"));
    let deadlines = ok(&regie(&db, &["iwmo", "deadlines"]));
    assert!(deadlines.contains("OP274"), "{deadlines}");
    // Overdue the day after the due date, and listed as such.
    let later = (today + chrono::Days::new(57)).to_string();
    let deadlines = ok(&regie(&db, &["iwmo", "deadlines", "--on", &later]));
    assert!(
        deadlines.contains(&format!(
            "overdue OP274   due {due} not done by gemeente (onderzoek:99040102:CLI1"
        )),
        "{deadlines}"
    );

    // Refusals need a code of the list; an unknown verzoek is said to be unknown.
    let decide = |args: &[&str]| {
        let mut a = vec![
            "iwmo",
            "verzoek",
            "decide",
            "--aanbieder",
            "99040102",
            "--by",
            "J. de Vries",
        ];
        a.extend_from_slice(args);
        regie(&db, &a)
    };
    fails(
        &decide(&["--referentie", "CLI1", "--refuse", "12"]),
        "not in the code list",
    );
    fails(&decide(&["--referentie", "NOPE", "--grant"]), "no verzoek");
    let both = decide(&["--referentie", "CLI1", "--grant", "--refuse", "7"]);
    assert_eq!(both.status.code(), Some(2), "clap refuses both");

    // Granted by hand: a WMO301 written, valid, carrying the referentie.
    let outbox = tmp.join("outbox");
    let out = ok(&decide(&[
        "--referentie",
        "CLI1",
        "--grant",
        "--out",
        outbox.to_str().unwrap(),
    ]));
    assert!(out.contains("toegewezen by J. de Vries: WMO301"), "{out}");
    assert!(out.contains("toewijzing(en): VOT-99040102-CLI1"), "{out}");
    assert!(
        out.contains(&format!("final answer: OP274 due {due} met")),
        "{out}"
    );
    let files = xml_in(&outbox);
    assert_eq!(files.len(), 1, "{out}");
    let v = regie(
        &db,
        &[
            "iwmo",
            "validate",
            "--variant",
            "outputgericht",
            files[0].to_str().unwrap(),
        ],
    );
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    let x = std::fs::read_to_string(&files[0]).unwrap();
    let regie_iwmo::bericht::Bericht::Wmo301(w) = regie_iwmo::bericht::parse(x.as_bytes()).unwrap()
    else {
        panic!("not a WMO301: {x}")
    };
    let tp = &w.client.toegewezen_producten[0];
    assert_eq!(
        tp.referentie_aanbieder.as_ref().map(|r| r.as_str()),
        Some("CLI1")
    );
    assert_eq!(tp.omvang.as_ref().unwrap().frequentie, Frequentie::PerWeek);

    // Decided once only; the list shows who decided.
    fails(
        &decide(&["--referentie", "CLI1", "--refuse", "7"]),
        "already decided: toegewezen by J. de Vries",
    );
    let j: serde_json::Value =
        serde_json::from_str(&ok(&regie(&db, &["iwmo", "verzoeken", "--json"]))).unwrap();
    assert_eq!(j[0]["status"], "toegewezen");
    assert_eq!(j[0]["beslist_door"], "J. de Vries");
    assert_eq!(j[0]["deadline"]["status"], "met");
    let table = ok(&regie(&db, &["iwmo", "verzoeken", "--open"]));
    assert!(table.contains("0 listed, 0 waiting"), "{table}");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn parallel_validate_reports_in_file_order() {
    let tmp = std::env::temp_dir().join(format!("regie-iwmo-par-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let db = format!("sqlite://{}", tmp.join("r.sqlite").display());
    let p = regie_iwmo::sample::Partijen::default();
    // More files than one block of 32 per thread, with broken ones spread over them.
    let mut names = Vec::new();
    for i in 0..150 {
        let f = tmp.join(format!("m{i:03}.xml"));
        let xml = regie_iwmo::sample::bench_message(&p, i).to_xml();
        // Cut short: not well-formed, retourcode 0001.
        let xml = if i % 37 == 5 {
            xml[..xml.len() - 12].to_string()
        } else {
            xml
        };
        std::fs::write(&f, xml).unwrap();
        names.push(f.display().to_string());
    }
    let run = |threads: &str| {
        let mut args = vec!["iwmo", "validate", "--threads", threads];
        args.extend(names.iter().map(String::as_str));
        regie(&db, &args)
    };
    let one = run("1");
    let three = run("3");
    assert_eq!(one.status.code(), Some(1), "broken files fail the run");
    assert_eq!(three.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&one.stdout),
        String::from_utf8_lossy(&three.stdout),
        "same reports in the same order"
    );
    let out = String::from_utf8_lossy(&three.stdout);
    let files: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with(tmp.to_str().unwrap()))
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    assert_eq!(files, names, "one report per file, in argument order");
    assert!(out.contains("150 file(s), 146 ok, 4 with errors"), "{out}");
    let _ = std::fs::remove_dir_all(&tmp);
}

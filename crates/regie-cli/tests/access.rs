//! End-to-end: one Hart van Brabant client through the beschermd wonen route
//! with the `regie` binary on a temporary SQLite file: DAT-bepaling, a missed
//! perspectiefplan deadline, overbruggingszorg, placement, a complaint; and
//! the scenario generator feeding deadlines, waitlist and complaints.

use chrono::NaiveDate;
use regie_access::{Actor, CaseEvent, EventRecord, Perspectiefplan};
use regie_domain::{Beschikking, Period, ProductRef, Scope, Toewijzing};
mod common;

use common::{ok, regie, repo, tmp};
use std::path::Path;

const BSN: &str = "123456782";
const HOOFDAANNEMER: &str = "99030101";
const ONDER_KLEIN: &str = "99030103";
const OVERBRUGGING: &str = "99030102";
const DONGEN: &str = "0766";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Writes an event record file and applies it with `regie case event`.
fn apply(db: &Path, dir: &Path, n: usize, day: NaiveDate, actor: Actor, ev: CaseEvent) -> String {
    let rec = EventRecord::new(day.and_hms_opt(9, 0, 0).unwrap(), actor, ev);
    let f = dir.join(format!("event{n:02}.json"));
    std::fs::write(&f, serde_json::to_string_pretty(&rec).unwrap()).unwrap();
    ok(&regie(
        db,
        &["case", "event", "HVB-1", "--file", f.to_str().unwrap()],
    ))
}

fn beschikking() -> Beschikking {
    Beschikking {
        id: "HVB-1-B1".into(),
        client: BSN.parse().unwrap(),
        aard: "beschermd wonen".into(),
        product: ProductRef {
            categorie: "15".parse().unwrap(),
            code: Some("15X01".parse().unwrap()),
        },
        intensiteit: None,
        duur: Period::new(d(2025, 3, 6), Some(d(2026, 3, 5))).unwrap(),
        decided_on: d(2025, 3, 6),
        motivation: "DAT-bepaling: beschermd wonen passend".into(),
        rechtsmiddelen: "Bezwaar binnen zes weken na dagtekening.".into(),
    }
}

#[test]
fn hvb_client_dat_missed_plan_bridging_placement_and_complaint() {
    let t = tmp("access_hvb");
    let db = t.0.join("regie.sqlite");
    ok(&regie(
        &db,
        &["region", "load", "regions/hart-van-brabant.toml"],
    ));
    let out = ok(&regie(
        &db,
        &[
            "case",
            "open",
            "--id",
            "HVB-1",
            "--bsn",
            BSN,
            "--birth-date",
            "1990-05-01",
            "--gemeente",
            DONGEN,
            "--woont-sinds",
            "2015-01-01",
            "--route",
            "bw-perspectiefplan",
            "--at",
            "2025-01-06",
            "--actor",
            "toegang:0766:wijkteam Dongen",
            "--hulpvraag",
            "Ik kan niet meer zelfstandig wonen.",
        ],
    ));
    assert!(out.contains("toegang 0855"), "{out}"); // centrumgemeente Tilburg holds BW cases

    // A bare event with typed actor and time.
    let f = t.0.join("onderzoek.json");
    std::fs::write(&f, r#"{"event": "onderzoek_gestart"}"#).unwrap();
    let out = ok(&regie(
        &db,
        &[
            "case",
            "event",
            "HVB-1",
            "--file",
            f.to_str().unwrap(),
            "--actor",
            "regional:Anna",
            "--at",
            "2025-01-07T10:30",
        ],
    ));
    assert!(out.contains("aangemeld → in onderzoek"), "{out}");

    let rat = Actor::regional("Anna");
    apply(
        &db,
        &t.0,
        1,
        d(2025, 1, 15),
        rat.clone(),
        CaseEvent::DatAfgegeven {
            contractpartner: HOOFDAANNEMER.parse().unwrap(),
            motivering: "24/7 toezicht nodig".into(),
        },
    );
    apply(
        &db,
        &t.0,
        2,
        d(2025, 1, 20),
        Actor::toegang(DONGEN.parse().unwrap(), "wijkteam Dongen"),
        CaseEvent::OverbruggingszorgIngezet {
            aanbieder: OVERBRUGGING.parse().unwrap(),
            product: ProductRef {
                categorie: "02".parse().unwrap(),
                code: None,
            },
            start: d(2025, 1, 20),
            omvang: None,
        },
    );

    // 1 March: the perspectiefplan was due 26 February (DAT + 6 weeks): flagged as missed.
    let out = ok(&regie(
        &db,
        &["deadlines", "--as-of", "2025-03-01", "--due-within", "14d"],
    ));
    let line = out
        .lines()
        .find(|l| l.contains("perspectiefplan"))
        .unwrap_or_else(|| panic!("no perspectiefplan deadline:\n{out}"));
    assert!(line.starts_with("!!"), "{line}");
    assert!(line.contains("2025-02-26"), "{line}");
    assert!(line.contains("GEMIST, 3 dagen te laat"), "{line}");
    let missed = ok(&regie(
        &db,
        &[
            "deadlines",
            "--as-of",
            "2025-03-01",
            "--due-within",
            "2w",
            "--missed",
        ],
    ));
    assert_eq!(
        missed.lines().filter(|l| l.starts_with("!!")).count(),
        1,
        "{missed}"
    );
    // A week earlier nothing was missed yet; the plan was merely due within 14 days.
    let early = ok(&regie(
        &db,
        &["deadlines", "--as-of", "2025-02-20", "--due-within", "14d"],
    ));
    let line = early
        .lines()
        .find(|l| l.contains("perspectiefplan"))
        .unwrap_or_else(|| panic!("{early}"));
    assert!(line.ends_with("| open"), "{line}");

    // The client waits for a BW place with bridging care.
    let wl = ok(&regie(&db, &["waitlist", "--as-of", "2025-03-01"]));
    let row = wl
        .lines()
        .find(|l| l.starts_with("beschermd wonen"))
        .unwrap_or_else(|| panic!("{wl}"));
    let cols: Vec<&str> = row.split('|').map(str::trim).collect();
    assert_eq!(cols[2], "1", "{row}"); // waiting
    assert_eq!(cols[5], "45", "{row}"); // max days since the DAT-bepaling
    assert_eq!(cols[8], "1", "{row}"); // with overbruggingszorg

    // An event that does not fit is refused and changes nothing.
    let f = t.0.join("bad.json");
    std::fs::write(&f, r#"{"event": "onderzoek_gestart"}"#).unwrap();
    let o = regie(
        &db,
        &[
            "case",
            "event",
            "HVB-1",
            "--file",
            f.to_str().unwrap(),
            "--actor",
            "regional:Anna",
            "--at",
            "2025-03-02",
        ],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("refused"), "{err}");

    // The late plan, agreement, toewijzing to the hoofdaannemer, routing, placement.
    let plan = Perspectiefplan {
        beschikking: beschikking(),
        doelen: vec!["zelfstandig wonen".into()],
        evaluatiemomenten: vec![d(2025, 7, 1)],
        overbrugging: Some("ambulante begeleiding door Dongen".into()),
    };
    let hoofd = Actor::provider(HOOFDAANNEMER.parse().unwrap());
    apply(
        &db,
        &t.0,
        3,
        d(2025, 3, 6),
        hoofd.clone(),
        CaseEvent::PerspectiefplanOpgesteld { plan },
    );
    apply(
        &db,
        &t.0,
        4,
        d(2025, 3, 10),
        Actor::Client,
        CaseEvent::PerspectiefplanReactie { akkoord: true },
    );
    let rf = regie_regions::parse_region(
        &std::fs::read_to_string(repo().join("regions/hart-van-brabant.toml")).unwrap(),
        "hvb",
    )
    .unwrap();
    let lot = rf.lot("beschermd-wonen").unwrap();
    let order = regie_access::ProviderChoice::new(&rf.region, lot, &rf.contracts, &rf.providers)
        .region_wide(true)
        .choose(
            "15X01",
            DONGEN.parse().unwrap(),
            d(2025, 3, 12),
            regie_access::Keuze::Hoofdaannemer,
        )
        .unwrap();
    let tw = Toewijzing {
        id: "HVB-1-T1".into(),
        beschikking_id: "HVB-1-B1".into(),
        client: BSN.parse().unwrap(),
        provider: order.addressee,
        product: beschikking().product,
        scope: Scope::Unspecified,
        period: Period::new(d(2025, 4, 1), Some(d(2026, 3, 5))).unwrap(),
        reden_wijziging: None,
    };
    apply(
        &db,
        &t.0,
        5,
        d(2025, 3, 12),
        rat.clone(),
        order.toewijzing_event(tw).unwrap(),
    );
    apply(
        &db,
        &t.0,
        6,
        d(2025, 3, 13),
        hoofd.clone(),
        CaseEvent::OnderaannemerGekozen {
            toewijzing_id: "HVB-1-T1".into(),
            onderaannemer: ONDER_KLEIN.parse().unwrap(),
        },
    );
    let out = apply(
        &db,
        &t.0,
        7,
        d(2025, 4, 2),
        hoofd,
        CaseEvent::ZorgGestart {
            toewijzing_id: "HVB-1-T1".into(),
            start: d(2025, 4, 1),
        },
    );
    assert!(out.contains("toegewezen → in zorg"), "{out}");

    // The missed plan deadline is resolved (met late) and leaves the action list.
    let out = ok(&regie(
        &db,
        &["deadlines", "--as-of", "2025-04-10", "--due-within", "14d"],
    ));
    assert!(!out.contains("perspectiefplan"), "{out}");
    let wl = ok(&regie(&db, &["waitlist", "--as-of", "2025-04-10"]));
    assert!(wl.contains("placed so far: 1, mean wait 76.0 days"), "{wl}");

    // History with who and when.
    let show = ok(&regie(
        &db,
        &["case", "show", "HVB-1", "--as-of", "2025-04-10"],
    ));
    for needle in [
        "2025-01-07 10:30 | regional team (Anna)",
        "DAT-bepaling",
        "2025-03-06 09:00 | provider 99030101",
        "perspectiefplan delivered",
        "overbruggingszorg t/m 2025-03-31",
        "HVB-1-T1 geleverd door 99030103",
        "state: in zorg",
    ] {
        assert!(show.contains(needle), "missing {needle:?} in:\n{show}");
    }

    // A complaint about the delivering onderaannemer, counted per quarter.
    let out = ok(&regie(
        &db,
        &[
            "case",
            "complaint",
            "HVB-1",
            "--date",
            "2025-03-20",
            "--subject",
            "lange wachttijd",
        ],
    ));
    assert!(out.contains("provider 99030103, gemeente 0766"), "{out}");
    let out = ok(&regie(&db, &["complaints", "--quarter", "2025Q1"]));
    assert!(out.contains("complaints received in 2025-Q1: 1"), "{out}");
    let row = out
        .lines()
        .find(|l| l.starts_with("99030103") && l.contains("0766 Dongen"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        row.trim_end().ends_with("| 1") || row.trim_end().ends_with(" 1"),
        "{row}"
    );
    let out = ok(&regie(&db, &["complaints", "--quarter", "2025Q2"]));
    assert!(out.contains("complaints received in 2025-Q2: 0"), "{out}");
}

#[test]
fn simulated_hvb_cases_feed_deadlines_waitlist_and_complaints() {
    let t = tmp("access_sim");
    let db = t.0.join("regie.sqlite");
    let args = [
        "simulate-cases",
        "--region",
        "regions/hart-van-brabant.toml",
        "--cases",
        "120",
        "--seed",
        "5",
        "--as-of",
        "2025-06-30",
    ];
    let out = ok(&regie(&db, &args));
    assert!(out.starts_with("simulated 120 cases"), "{out}");
    // Same seed again collides; --replace simulates afresh with the same result.
    assert!(!regie(&db, &args).status.success());
    let mut again = args.to_vec();
    again.push("--replace");
    let out2 = ok(&regie(&db, &again));
    assert!(out2.contains(out.lines().next().unwrap()), "{out}\n{out2}");

    let dl = ok(&regie(
        &db,
        &["deadlines", "--as-of", "2025-06-30", "--due-within", "3m"],
    ));
    assert!(dl.lines().any(|l| l.starts_with("!!")), "{dl}");
    let dues: Vec<&str> = dl.lines().skip(1).map(|l| &l[3..13]).collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted, "deadlines not sorted by due date");
    let wl = ok(&regie(&db, &["waitlist", "--as-of", "2025-06-30"]));
    assert!(
        wl.lines()
            .any(|l| l.starts_with("beschermd wonen (plaats)")),
        "{wl}"
    );
    assert!(wl.contains("placed so far:"), "{wl}");
    let list = ok(&regie(&db, &["case", "list"]));
    assert_eq!(list.lines().count(), 120);
}

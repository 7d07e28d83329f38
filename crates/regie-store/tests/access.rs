//! Access cases in the store, run against every available backend: events
//! applied, refused and replayed; optimistic concurrency on seq; projection
//! onto beschikkingen/toewijzingen/residences; deadlines, waiting list and
//! complaints derived from what is stored.

#[allow(dead_code)]
mod common;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use common::backends;
use regie_access::*;
use regie_domain::*;
use regie_store::access::{complaint_register, waiting_list, BW_PLAATS};
use regie_store::{RegionInput, Store, StoreError};

const TILBURG: &str = "0855";
const DONGEN: &str = "0766";
const WAALWIJK: &str = "0867";
const HOOFDAANNEMER: &str = "99030101";
const ONDER_B: &str = "99030103";
const OVERBRUGGING: &str = "99030102";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
fn at(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(9, 0, 0).unwrap()
}
fn g(s: &str) -> Gemeentecode {
    s.parse().unwrap()
}
fn agb(s: &str) -> AgbCode {
    s.parse().unwrap()
}
fn bsn() -> Bsn {
    (123_456..).find_map(Bsn::complete).unwrap()
}
fn rat() -> Actor {
    Actor::regional("regionaal team")
}
fn hoofd() -> Actor {
    Actor::provider(agb(HOOFDAANNEMER))
}

fn hvb() -> (regie_regions::RegionFile, String) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../regions/hart-van-brabant.toml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    (regie_regions::parse_region(&text, path).unwrap(), text)
}

async fn load_hvb(store: &Store) -> regie_regions::RegionFile {
    let (rf, text) = hvb();
    store
        .save_region(
            RegionInput {
                region: &rf.region,
                source_file: "regions/hart-van-brabant.toml",
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

fn aanmelding(id: &str) -> EventRecord {
    EventRecord::new(
        at(d(2025, 1, 6)),
        Actor::toegang(g(DONGEN), "wijkteam Dongen"),
        CaseEvent::Aangemeld {
            case_id: id.into(),
            client: ClientGegevens {
                bsn: bsn(),
                geboortedatum: d(1990, 5, 1),
                gemeente: g(DONGEN),
                woont_sinds: d(2015, 1, 1),
                persoonsgegevens: Some(regie_sim::persoon::persoonsgegevens(1, 1, "Dongen")),
            },
            route: Route::BeschermdWonenPerspectiefplan,
            toegang_gemeente: g(TILBURG),
            hulpvraag: "Ik kan niet meer zelfstandig wonen.".into(),
        },
    )
}

fn plan(decided_on: NaiveDate) -> Perspectiefplan {
    Perspectiefplan {
        beschikking: Beschikking {
            id: "HVB-B1".into(),
            client: bsn(),
            aard: "beschermd wonen".into(),
            product: ProductRef {
                categorie: "15".parse().unwrap(),
                code: Some("15X01".parse().unwrap()),
            },
            intensiteit: None,
            duur: Period::new(d(2025, 3, 15), Some(d(2026, 3, 14))).unwrap(),
            decided_on,
            motivation: "DAT-bepaling: beschermd wonen passend".into(),
            rechtsmiddelen: "Bezwaar binnen zes weken.".into(),
        },
        doelen: vec!["zelfstandig wonen".into()],
        evaluatiemomenten: vec![d(2025, 6, 1), d(2025, 9, 1)],
        overbrugging: Some("ambulante begeleiding door Dongen".into()),
    }
}

/// The HvB route up to placement: DAT on 15 January, perspectiefplan 8 days
/// late on 6 March, bridging care from 20 January, placement 1 April.
async fn walk_hvb(store: &Store, rf: &regie_regions::RegionFile, id: &str) -> Case {
    store
        .open_case("hart-van-brabant", aanmelding(id))
        .await
        .unwrap();
    let steps: Vec<(NaiveDate, Actor, CaseEvent)> = vec![
        (d(2025, 1, 7), rat(), CaseEvent::OnderzoekGestart),
        (
            d(2025, 1, 15),
            rat(),
            CaseEvent::DatAfgegeven {
                contractpartner: agb(HOOFDAANNEMER),
                motivering: "24/7 toezicht nodig".into(),
            },
        ),
        (
            d(2025, 1, 20),
            Actor::toegang(g(DONGEN), "wijkteam Dongen"),
            CaseEvent::OverbruggingszorgIngezet {
                aanbieder: agb(OVERBRUGGING),
                product: ProductRef {
                    categorie: "02".parse().unwrap(),
                    code: None,
                },
                start: d(2025, 1, 20),
                omvang: None,
            },
        ),
        (
            d(2025, 3, 6),
            hoofd(),
            CaseEvent::PerspectiefplanOpgesteld {
                plan: plan(d(2025, 3, 6)),
            },
        ),
        (
            d(2025, 3, 10),
            Actor::Client,
            CaseEvent::PerspectiefplanReactie { akkoord: true },
        ),
    ];
    for (day, actor, ev) in steps {
        store
            .apply_case_event(id, EventRecord::new(at(day), actor, ev))
            .await
            .unwrap();
    }
    let case = store.case(id).await.unwrap();
    store
        .apply_case_event(id, order_event(rf, &case))
        .await
        .unwrap();
    place(store, id).await
}

/// The toewijzing of the HvB case's binding plan to the hoofdaannemer, from 1 April.
fn order_event(rf: &regie_regions::RegionFile, case: &Case) -> EventRecord {
    let id = case.id();
    let lot = rf.lot("beschermd-wonen").unwrap();
    let order = ProviderChoice::new(&rf.region, lot, &rf.contracts, &rf.providers)
        .region_wide(true)
        .choose("15X01", g(DONGEN), d(2025, 3, 12), Keuze::Hoofdaannemer)
        .unwrap();
    let b = case.beschikking().unwrap();
    let t = Toewijzing {
        id: format!("{id}-T1"),
        beschikking_id: b.id.clone(),
        client: bsn(),
        provider: order.addressee,
        product: b.product,
        scope: Scope::Unspecified,
        period: Period::new(d(2025, 4, 1), Some(d(2026, 3, 14))).unwrap(),
        reden_wijziging: None,
    };
    EventRecord::new(
        at(d(2025, 3, 12)),
        rat(),
        order.toewijzing_event(t).unwrap(),
    )
}

/// Routing to the onderaannemer and placement on 1 April.
async fn place(store: &Store, id: &str) -> Case {
    store
        .apply_case_event(
            id,
            EventRecord::new(
                at(d(2025, 3, 13)),
                hoofd(),
                CaseEvent::OnderaannemerGekozen {
                    toewijzing_id: format!("{id}-T1"),
                    onderaannemer: agb(ONDER_B),
                },
            ),
        )
        .await
        .unwrap();
    store
        .apply_case_event(
            id,
            EventRecord::new(
                at(d(2025, 4, 2)),
                hoofd(),
                CaseEvent::ZorgGestart {
                    toewijzing_id: format!("{id}-T1"),
                    start: d(2025, 4, 1),
                },
            ),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn stored_case_replays_equal_and_projects_onto_care_tables() {
    for db in backends().await {
        let rf = load_hvb(&db.store).await;
        let case = walk_hvb(&db.store, &rf, "HVB-1").await;
        assert_eq!(case.state(), &CaseState::InZorg, "{}", db.name);

        // Replay from the store equals the case as applied in memory, and the
        // in-memory replay of its own events.
        let loaded = db.store.case("HVB-1").await.unwrap();
        assert_eq!(loaded, case, "{}", db.name);
        assert_eq!(Case::replay(case.events()).unwrap(), loaded, "{}", db.name);

        let s = db.store.case_summary("HVB-1").await.unwrap();
        assert_eq!(s.last_seq, 8, "{}", db.name);
        assert_eq!(s.state, "in zorg");
        assert_eq!(s.route, "beschermd_wonen_perspectiefplan");
        assert_eq!(s.toegang_gemeente, TILBURG);
        assert_eq!(s.closed_on, None);

        // Client, beschikking and toewijzing are in the care tables.
        let client = db.store.client(bsn()).await.unwrap();
        assert_eq!(client.municipality_on(d(2025, 1, 6)), g(DONGEN));
        // The aanmelding's BRP data is stored with the client (for WMO301s).
        let p = db.store.persoonsgegevens(bsn()).await.unwrap().unwrap();
        assert_eq!(
            p,
            regie_sim::persoon::persoonsgegevens(1, 1, "Dongen"),
            "{}",
            db.name
        );
        let b = db.store.beschikking("HVB-B1").await.unwrap();
        assert_eq!(&b, case.beschikking().unwrap(), "{}", db.name);
        let tw = db.store.toewijzingen_of(bsn()).await.unwrap();
        assert_eq!(tw.len(), 1, "{}", db.name);
        assert_eq!(tw[0].id, "HVB-1-T1");
        assert_eq!(tw[0].gemeente, g(DONGEN));
        assert_eq!(tw[0].provider, HOOFDAANNEMER);

        // A move inside the region: the region-wide toewijzing continues, the
        // store splits it at the move so the payer follows the residence.
        let case = db
            .store
            .apply_case_event(
                "HVB-1",
                EventRecord::new(
                    at(d(2025, 7, 1)),
                    Actor::system("BRP"),
                    CaseEvent::Verhuisd {
                        naar: g(WAALWIJK),
                        datum: d(2025, 7, 1),
                    },
                ),
            )
            .await
            .unwrap();
        assert_eq!(case.client().municipality_on(d(2025, 7, 1)), g(WAALWIJK));
        let client = db.store.client(bsn()).await.unwrap();
        assert_eq!(client.municipality_on(d(2025, 7, 1)), g(WAALWIJK));
        let tw = db.store.toewijzingen_of(bsn()).await.unwrap();
        assert_eq!(tw.len(), 2, "{}: {tw:?}", db.name);
        assert_eq!(tw[0].period.end(), Some(d(2025, 6, 30)));
        assert_eq!(tw[1].id, "HVB-1-T1-V20250701");
        assert_eq!(tw[1].gemeente, g(WAALWIJK));
        assert_eq!(tw[1].period.end(), Some(d(2026, 3, 14)));

        // Uitstroom to the local team ends the toewijzing: also the continuation.
        let case = db
            .store
            .apply_case_event(
                "HVB-1",
                EventRecord::new(
                    at(d(2025, 11, 1)),
                    rat(),
                    CaseEvent::Uitgestroomd {
                        laatste_dag: d(2025, 10, 31),
                        bestemming: Bestemming::LokaalTeam {
                            gemeente: g(WAALWIJK),
                        },
                    },
                ),
            )
            .await
            .unwrap();
        assert!(case.state().is_closed());
        let tw = db.store.toewijzingen_of(bsn()).await.unwrap();
        assert_eq!(tw[1].period.end(), Some(d(2025, 10, 31)), "{}", db.name);
        assert_eq!(tw[0].period.end(), Some(d(2025, 6, 30)), "{}", db.name);
        let s = db.store.case_summary("HVB-1").await.unwrap();
        assert_eq!(s.closed_on, Some(d(2025, 11, 1)));
        assert_eq!(db.store.case("HVB-1").await.unwrap(), case);
        let audit = db.store.audit_for("case/HVB-1").await.unwrap();
        assert_eq!(audit.len(), 11, "{}", db.name);
        assert_eq!(audit[0].action, "case.open");
    }
}

#[tokio::test]
async fn refused_event_writes_nothing() {
    for db in backends().await {
        let _ = load_hvb(&db.store).await;
        db.store
            .open_case("hart-van-brabant", aanmelding("HVB-2"))
            .await
            .unwrap();
        // DAT-bepaling before the onderzoek started: illegal transition.
        let e = db
            .store
            .apply_case_event(
                "HVB-2",
                EventRecord::new(
                    at(d(2025, 1, 8)),
                    rat(),
                    CaseEvent::DatAfgegeven {
                        contractpartner: agb(HOOFDAANNEMER),
                        motivering: "x".into(),
                    },
                ),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                StoreError::Refused(AccessError::IllegalTransition { .. })
            ),
            "{}: {e}",
            db.name
        );
        // A provider may not start the onderzoek: unauthorized.
        let e = db
            .store
            .apply_case_event(
                "HVB-2",
                EventRecord::new(at(d(2025, 1, 8)), hoofd(), CaseEvent::OnderzoekGestart),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Refused(AccessError::Unauthorized { .. })),
            "{}: {e}",
            db.name
        );
        let s = db.store.case_summary("HVB-2").await.unwrap();
        assert_eq!(s.last_seq, 0);
        assert_eq!(s.state, "aangemeld");
        assert_eq!(db.store.case("HVB-2").await.unwrap().history().len(), 1);
        assert_eq!(db.store.audit_for("case/HVB-2").await.unwrap().len(), 1);
        // Opening the same case twice is refused.
        let e = db
            .store
            .open_case("hart-van-brabant", aanmelding("HVB-2"))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{}: {e}", db.name);
        // Events for an unknown case.
        let e = db
            .store
            .apply_case_event(
                "NOPE",
                EventRecord::new(at(d(2025, 1, 8)), rat(), CaseEvent::OnderzoekGestart),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound { .. }), "{}: {e}", db.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_of_the_same_seq_conflict() {
    for db in backends().await {
        let _ = load_hvb(&db.store).await;
        db.store
            .open_case("hart-van-brabant", aanmelding("HVB-3"))
            .await
            .unwrap();
        let a = db.store.case("HVB-3").await.unwrap();
        let b = a.clone();
        // Sequential: the second writer's view is stale.
        db.store
            .append_case_event(
                &a,
                EventRecord::new(at(d(2025, 1, 7)), rat(), CaseEvent::OnderzoekGestart),
            )
            .await
            .unwrap();
        let e = db
            .store
            .append_case_event(
                &b,
                EventRecord::new(
                    at(d(2025, 1, 7)),
                    Actor::Client,
                    CaseEvent::Ingetrokken {
                        reden: "toch niet".into(),
                    },
                ),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::SeqConflict { seq: 1, .. }),
            "{}: {e}",
            db.name
        );
        let stored = db.store.case("HVB-3").await.unwrap();
        assert_eq!(stored.state(), &CaseState::InOnderzoek, "{}", db.name);

        // Truly concurrent: many writers race for seq 2; exactly one wins.
        let base = stored;
        let mut handles = Vec::new();
        for i in 0..8 {
            let store = db.store.clone();
            let base = base.clone();
            handles.push(tokio::spawn(async move {
                store
                    .append_case_event(
                        &base,
                        EventRecord::new(
                            at(d(2025, 1, 8)) + Duration::minutes(i),
                            rat(),
                            CaseEvent::DatAfgegeven {
                                contractpartner: agb(HOOFDAANNEMER),
                                motivering: format!("writer {i}"),
                            },
                        ),
                    )
                    .await
            }));
        }
        let mut ok = 0;
        for h in handles {
            match h.await.unwrap() {
                Ok(_) => ok += 1,
                Err(StoreError::SeqConflict { seq: 2, .. }) => {}
                Err(e) => panic!("{}: unexpected {e}", db.name),
            }
        }
        assert_eq!(ok, 1, "{}", db.name);
        let stored = db.store.case("HVB-3").await.unwrap();
        assert_eq!(stored.history().len(), 3, "{}", db.name);
        assert_eq!(db.store.case_summary("HVB-3").await.unwrap().last_seq, 2);
    }
}

#[tokio::test]
async fn deadlines_waitlist_and_complaints_from_stored_cases() {
    for db in backends().await {
        let rf = load_hvb(&db.store).await;
        // HVB-W: placed; the perspectiefplan was 8 days late.
        walk_hvb(&db.store, &rf, "HVB-W").await;
        // A second client waiting since 1 February with no plan yet.
        let mut rec = aanmelding("HVB-X");
        if let CaseEvent::Aangemeld { client, .. } = &mut rec.event {
            client.bsn = (222_333..).find_map(Bsn::complete).unwrap();
        }
        rec.at = at(d(2025, 1, 20));
        db.store.open_case("hart-van-brabant", rec).await.unwrap();
        for (day, ev) in [
            (d(2025, 1, 21), CaseEvent::OnderzoekGestart),
            (
                d(2025, 2, 1),
                CaseEvent::DatAfgegeven {
                    contractpartner: agb(HOOFDAANNEMER),
                    motivering: "m".into(),
                },
            ),
        ] {
            db.store
                .apply_case_event("HVB-X", EventRecord::new(at(day), rat(), ev))
                .await
                .unwrap();
        }

        let cases = db.store.cases(Some("hart-van-brabant")).await.unwrap();
        assert_eq!(cases.len(), 2, "{}", db.name);
        let engine = DeadlineEngine::seeds();
        let as_of = d(2025, 3, 20);
        let list = engine.deadlines_for(&cases, as_of, Duration::days(14));
        // HVB-X's perspectiefplan was due 15 March: missed and still open.
        let missed: Vec<_> = list
            .iter()
            .filter(|d| {
                matches!(
                    d.status,
                    DeadlineStatus::Missed {
                        closed_on: None,
                        ..
                    }
                )
            })
            .collect();
        assert_eq!(missed.len(), 1, "{}: {list:?}", db.name);
        assert_eq!(missed[0].case_id, "HVB-X");
        assert_eq!(missed[0].rule, "perspectiefplan");
        assert_eq!(missed[0].due, d(2025, 3, 15));
        // HVB-W's late plan shows in the full evaluation as met late.
        let w = cases.iter().find(|c| c.id() == "HVB-W").unwrap();
        let all = engine.evaluate(w, as_of);
        let pp = all.iter().find(|d| d.rule == "perspectiefplan").unwrap();
        assert_eq!(
            pp.status,
            DeadlineStatus::Missed {
                overdue_days: 8,
                closed_on: Some(d(2025, 3, 6))
            }
        );

        // Waiting list on 20 March: both wait for a BW place; HVB-W has bridging care.
        let wl = waiting_list(&cases, as_of);
        let stats = wl.stats(as_of, &WaitNorms::default());
        assert_eq!(stats.len(), 1, "{}", db.name);
        assert_eq!(stats[0].product, BW_PLAATS);
        assert_eq!(stats[0].waiting, 2);
        assert_eq!(stats[0].max_days, 64);
        assert_eq!(stats[0].with_overbrugging, 1);
        // On 10 April HVB-W is placed (1 April, after 76 days).
        let wl = waiting_list(&cases, d(2025, 4, 10));
        let stats = wl.stats(d(2025, 4, 10), &WaitNorms::default());
        assert_eq!(stats[0].waiting, 1);
        assert_eq!(wl.placed().len(), 1);
        assert_eq!(wl.placed()[0].waited_days(), 76);

        // Complaints: stored, counted per quarter, provider and municipality.
        let n1 = db
            .store
            .add_complaint(
                "hart-van-brabant",
                d(2025, 2, 3),
                agb(HOOFDAANNEMER),
                g(DONGEN),
                Some("HVB-W"),
                "perspectiefplan te laat",
                "test",
            )
            .await
            .unwrap();
        let n2 = db
            .store
            .add_complaint(
                "hart-van-brabant",
                d(2025, 4, 3),
                agb(HOOFDAANNEMER),
                g(TILBURG),
                None,
                "bejegening",
                "test",
            )
            .await
            .unwrap();
        assert_eq!((n1, n2), (1, 2));
        db.store
            .handle_complaint(n1, d(2025, 2, 20), "test")
            .await
            .unwrap();
        assert!(db
            .store
            .handle_complaint(n1, d(2025, 2, 21), "test")
            .await
            .is_err());
        let all = db.store.complaints(Some("hart-van-brabant")).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].afgehandeld_op, Some(d(2025, 2, 20)));
        assert_eq!(all[0].case_id.as_deref(), Some("HVB-W"));
        let reg = complaint_register(&all);
        let q1 = reg.quarter_table(Quarter { year: 2025, q: 1 });
        assert_eq!(q1.len(), 1, "{}", db.name);
        assert_eq!(q1.get(&(agb(HOOFDAANNEMER), g(DONGEN))), Some(&1));
    }
}

#[tokio::test]
async fn projection_conflict_rolls_back_the_event_and_region_cases_can_be_deleted() {
    for db in backends().await {
        let rf = load_hvb(&db.store).await;
        // Legacy care already stored for the client: the same product at the
        // same provider from 1 February.
        let client = Client::new(bsn(), d(1990, 5, 1), g(DONGEN), d(2015, 1, 1));
        db.store
            .add_client("hart-van-brabant", &client, None, "legacy import")
            .await
            .unwrap();
        let mut legacy = plan(d(2025, 1, 2)).beschikking;
        legacy.id = "LEG-B".into();
        legacy.duur = Period::new(d(2025, 1, 1), Some(d(2025, 12, 31))).unwrap();
        db.store
            .add_beschikking("hart-van-brabant", &legacy, "legacy import")
            .await
            .unwrap();
        let legacy_t = Toewijzing {
            id: "LEG-T".into(),
            beschikking_id: "LEG-B".into(),
            client: bsn(),
            provider: agb(HOOFDAANNEMER),
            product: legacy.product,
            scope: Scope::Unspecified,
            period: Period::new(d(2025, 2, 1), Some(d(2025, 12, 31))).unwrap(),
            reden_wijziging: None,
        };
        db.store
            .add_toewijzing(
                "hart-van-brabant",
                &regie_store::ToewijzingRow {
                    toewijzing: legacy_t,
                    lot_id: "beschermd-wonen".into(),
                    gemeente: g(DONGEN),
                },
                "legacy import",
            )
            .await
            .unwrap();

        // The case's toewijzing from 1 April fits the case but clashes with the
        // stored one (iWmo OP259): the whole append rolls back.
        db.store
            .open_case("hart-van-brabant", aanmelding("HVB-4"))
            .await
            .unwrap();
        for (day, actor, ev) in [
            (d(2025, 1, 7), rat(), CaseEvent::OnderzoekGestart),
            (
                d(2025, 1, 15),
                rat(),
                CaseEvent::DatAfgegeven {
                    contractpartner: agb(HOOFDAANNEMER),
                    motivering: "m".into(),
                },
            ),
            (
                d(2025, 2, 20),
                hoofd(),
                CaseEvent::PerspectiefplanOpgesteld {
                    plan: plan(d(2025, 2, 20)),
                },
            ),
            (
                d(2025, 2, 25),
                Actor::Client,
                CaseEvent::PerspectiefplanReactie { akkoord: true },
            ),
        ] {
            db.store
                .apply_case_event("HVB-4", EventRecord::new(at(day), actor, ev))
                .await
                .unwrap();
        }
        let case = db.store.case("HVB-4").await.unwrap();
        let e = db
            .store
            .append_case_event(&case, order_event(&rf, &case))
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Care(CareError::Overlap { .. })),
            "{}: {e}",
            db.name
        );
        assert_eq!(db.store.case("HVB-4").await.unwrap(), case, "{}", db.name);
        assert_eq!(db.store.case_summary("HVB-4").await.unwrap().last_seq, 4);
        let tw = db.store.toewijzingen_of(bsn()).await.unwrap();
        assert_eq!(tw.len(), 1, "{}", db.name);
        assert_eq!(tw[0].id, "LEG-T");
        // The existing client row was kept; the plan's beschikking was stored at agreement.
        assert_eq!(db.store.beschikking("HVB-B1").await.unwrap().id, "HVB-B1");

        // Deleting the region's cases removes events, complaints and the care
        // rows of the cases' clients.
        db.store
            .add_complaint(
                "hart-van-brabant",
                d(2025, 3, 5),
                agb(HOOFDAANNEMER),
                g(DONGEN),
                Some("HVB-4"),
                "x",
                "test",
            )
            .await
            .unwrap();
        assert_eq!(
            db.store
                .delete_region_cases("hart-van-brabant")
                .await
                .unwrap(),
            1
        );
        assert!(
            db.store.cases(None).await.unwrap().is_empty(),
            "{}",
            db.name
        );
        assert!(db.store.complaints(None).await.unwrap().is_empty());
        assert!(db.store.toewijzingen_of(bsn()).await.unwrap().is_empty());
        assert!(matches!(
            db.store.client(bsn()).await,
            Err(StoreError::NotFound { .. })
        ));
        // Now the whole route stores cleanly.
        let case = walk_hvb(&db.store, &rf, "HVB-4").await;
        assert_eq!(case.state(), &CaseState::InZorg, "{}", db.name);
    }
}

//! Property tests: random event sequences, legal and illegal mixed.

mod common;

use chrono::{Duration, NaiveDateTime};
use common::*;
use proptest::prelude::*;
use regie_access::*;
use regie_domain::*;

const P1: &str = "50000001";
const P2: &str = "50000002";
const SUB: &str = "50000003";

fn actors() -> Vec<Actor> {
    vec![
        toegang(VUGHT),
        toegang(DEN_BOSCH),
        rat(),
        prov(P1),
        prov(P2),
        Actor::Client,
        college(VUGHT),
        college(TILBURG),
        brp(),
    ]
}

fn order(regional: bool) -> OrderInfo {
    OrderInfo {
        lot_id: "lot".into(),
        contract_id: "c".into(),
        adressering: Adressering::Hoofdaannemer {
            onderaannemers: vec![agb(SUB)],
        },
        dekking: if regional {
            Dekking::Regio {
                gemeenten: vec![g(VUGHT), g(DEN_BOSCH)],
            }
        } else {
            Dekking::Gemeente { gemeente: g(VUGHT) }
        },
        betaler: PayerRule::Woonplaatsbeginsel,
    }
}

/// An event template; `day` is the effective date used inside the event.
fn event(i: u8, day: chrono::NaiveDate, case: &Case) -> CaseEvent {
    // Most templates refer to what exists in the case; every fifth guesses wrong.
    let guess = i.is_multiple_of(5);
    let cur = case.beschikking().filter(|_| !guess);
    let tid = match case.toewijzingen() {
        ts if !ts.is_empty() && !guess => ts[usize::from(i) % ts.len()].toewijzing.id.clone(),
        _ => format!("T{}", i % 3),
    };
    let b = |id: &str, months: u32| {
        beschikking(
            id,
            pref("02", "02A03"),
            period(day, Some(day + Duration::days(30 * i64::from(months)))),
            day,
        )
    };
    match template(i) {
        0 => CaseEvent::OnderzoekGestart,
        1 => CaseEvent::WlzVerwezen { reden: "r".into() },
        2 => CaseEvent::WlzBesluit {
            toegekend: false,
            ingangsdatum: None,
        },
        3 => CaseEvent::WlzBesluit {
            toegekend: true,
            ingangsdatum: Some(day),
        },
        4 => CaseEvent::DatAfgegeven {
            contractpartner: agb(P1),
            motivering: "m".into(),
        },
        5 => CaseEvent::PerspectiefplanOpgesteld {
            plan: Perspectiefplan {
                beschikking: b("PB", 12),
                doelen: vec![],
                evaluatiemomenten: vec![day + Duration::days(90)],
                overbrugging: None,
            },
        },
        6 => CaseEvent::PerspectiefplanReactie { akkoord: true },
        7 => CaseEvent::PerspectiefplanReactie { akkoord: false },
        8 => CaseEvent::BeschikkingAfgegeven {
            beschikking: b("B1", 12),
        },
        9 => CaseEvent::BeschikkingAfgegeven {
            beschikking: b("B2", 6),
        },
        10 => CaseEvent::Afgewezen {
            dagtekening: day,
            motivering: "m".into(),
            rechtsmiddelen: "r".into(),
        },
        11 | 12 => {
            let (bid, start, end) = match cur {
                Some(b) => (b.id.clone(), b.duur.start().max(day), b.duur.end()),
                None => ("B1".to_string(), day, Some(day + Duration::days(60))),
            };
            let end = end.map(|e| e.max(start));
            let mut t = toewijzing(
                &format!("T{}", case.toewijzingen().len() + usize::from(guess)),
                &b(&bid, 3),
                agb(P1),
                period(start, end),
            );
            t.beschikking_id = bid;
            CaseEvent::Toegewezen {
                toewijzing: t,
                order: order(i.is_multiple_of(4)),
            }
        }
        13 => CaseEvent::OnderaannemerGekozen {
            toewijzing_id: tid,
            onderaannemer: agb(SUB),
        },
        14 => CaseEvent::OverbruggingszorgIngezet {
            aanbieder: agb(P2),
            product: pref("02", "02N03"),
            start: day,
            omvang: None,
        },
        15 => {
            let start = case
                .toewijzing(&tid)
                .map(|t| t.toewijzing.period.start().max(day - Duration::days(40)))
                .unwrap_or(day);
            CaseEvent::ZorgGestart {
                toewijzing_id: tid,
                start: start.min(day),
            }
        }
        16 => CaseEvent::Geevalueerd {
            datum: day,
            deelnemers: vec![Role::Client, Role::Provider, Role::RegionalAccessTeam],
            bevindingen: "b".into(),
        },
        17 => CaseEvent::HerbeoordelingGestart,
        18 => CaseEvent::ToewijzingBeeindigd {
            toewijzing_id: tid,
            einde: day,
            reden: RedenWijziging(5),
        },
        19 => CaseEvent::Afgeschaald {
            beschikking: b("B3", 4),
        },
        20 => CaseEvent::Uitgestroomd {
            laatste_dag: day,
            bestemming: if i.is_multiple_of(2) {
                Bestemming::Beeindigd
            } else {
                Bestemming::LokaalTeam {
                    gemeente: g(DEN_BOSCH),
                }
            },
        },
        21 => CaseEvent::Ingetrokken { reden: "r".into() },
        22 => CaseEvent::BezwaarIngediend {
            ingediend_op: day,
            gronden: "g".into(),
            verschoonbaar: i.is_multiple_of(2),
        },
        23 => CaseEvent::BezwaarBeslist {
            beslist_op: day,
            uitkomst: match i % 3 {
                0 => BezwaarUitkomst::Ongegrond,
                1 => BezwaarUitkomst::Gegrond {
                    herziene_beschikking: None,
                },
                _ => BezwaarUitkomst::Gegrond {
                    herziene_beschikking: Some(b("B4", 12)),
                },
            },
        },
        24 => CaseEvent::AfwijzingOnherroepelijk,
        _ => CaseEvent::Verhuisd {
            naar: if i.is_multiple_of(2) {
                g(DEN_BOSCH)
            } else {
                g(VUGHT)
            },
            datum: day,
        },
    }
}

/// Template weights: steps that move a case forward come up more often than
/// those that end it, so random runs reach care, bezwaar and closure.
const WEIGHTS: [(u8, u8); 26] = [
    (0, 12),
    (1, 2),
    (2, 4),
    (3, 1),
    (4, 8),
    (5, 8),
    (6, 6),
    (7, 2),
    (8, 10),
    (9, 4),
    (10, 2),
    (11, 6),
    (12, 6),
    (13, 4),
    (14, 4),
    (15, 12),
    (16, 6),
    (17, 4),
    (18, 2),
    (19, 2),
    (20, 2),
    (21, 1),
    (22, 4),
    (23, 4),
    (24, 2),
    (25, 4),
];

fn template(i: u8) -> u8 {
    let total: u32 = WEIGHTS.iter().map(|(_, w)| u32::from(*w)).sum();
    let mut k = u32::from(i) % total;
    for (t, w) in WEIGHTS {
        if k < u32::from(w) {
            return t;
        }
        k -= u32::from(w);
    }
    unreachable!()
}

/// The actor who would normally record template `i` on this case.
fn natural_actor(i: u8, day: chrono::NaiveDate, case: &Case) -> Actor {
    let toegang_actor = if case.route().is_regional() {
        rat()
    } else {
        Actor::toegang(case.toegang_gemeente(), "medewerker")
    };
    match template(i) {
        2 | 3 => Actor::system("CIZ"),
        25 => brp(),
        4 => rat(),
        5 | 13 | 15 => prov(P1),
        6 | 7 | 21 | 22 => Actor::Client,
        14 => Actor::toegang(case.client().municipality_on(day), "lokaal"),
        23 => Actor::Municipality {
            gemeente: case.toegang_gemeente(),
        },
        _ => toegang_actor,
    }
}

fn routes() -> Vec<Route> {
    vec![
        Route::Maatwerk,
        Route::BeschermdWonen,
        Route::BeschermdWonenPerspectiefplan,
        Route::Safehouse { herkomst: g(VUGHT) },
        Route::Respijt,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Whatever is offered, accepted events keep every invariant, refused ones
    /// change nothing, each accepted change is in the history with who and
    /// when, and replaying the history gives back the same case.
    #[test]
    fn random_sequences_keep_invariants_and_replay(
        route in 0usize..5,
        steps in proptest::collection::vec((any::<u8>(), 0usize..12, 0i64..20, 0u32..3), 1..80),
    ) {
        let route = routes()[route];
        let toegang_g = if route.is_regional() { TILBURG } else { VUGHT };
        let start: NaiveDateTime = d(2025, 1, 6).and_hms_opt(9, 0, 0).unwrap();
        let mut case = Case::open(EventRecord::new(
            start,
            toegang(VUGHT),
            aanmelding("P-1", VUGHT, route, toegang_g),
        )).unwrap();
        let mut at = start;
        let mut applied = 1;
        let actors = actors();
        for (ev, actor, days, lag) in steps {
            at += Duration::days(days);
            // Effective dates sometimes lag behind the recording date.
            let day = at.date() - Duration::days(i64::from(lag));
            // Mostly the natural actor, sometimes anybody.
            let who = if actor >= actors.len() { natural_actor(ev, day, &case) } else { actors[actor].clone() };
            let who = if actor.is_multiple_of(2) { natural_actor(ev, day, &case) } else { who };
            let rec = EventRecord::new(at, who, event(ev, day, &case));
            let before = case.clone();
            match case.apply(rec.clone()) {
                Ok(()) => {
                    applied += 1;
                    let last = case.history().last().unwrap();
                    prop_assert_eq!(&last.record, &rec, "who/when/what recorded");
                    prop_assert_eq!(last.from.as_ref(), Some(before.state()));
                    prop_assert_eq!(&last.to, case.state());
                    prop_assert!(!before.state().is_closed(), "closed case accepted {:?}", rec.event.kind());
                }
                Err(_) => prop_assert_eq!(&case, &before, "refusal changed the case"),
            }
            prop_assert_eq!(case.history().len(), applied);
            let v = case.invariant_violations();
            prop_assert!(v.is_empty(), "invariants violated: {:?}", v);
        }
        let replayed = Case::replay(case.events()).unwrap();
        prop_assert_eq!(&replayed, &case);
        // Deadlines are computed without panicking and come sorted by due date.
        let dl = DeadlineEngine::seeds().evaluate(&case, at.date());
        prop_assert!(dl.windows(2).all(|w| w[0].due <= w[1].due));
        if case.state().is_closed() {
            prop_assert!(dl.iter().all(|x| !x.status.is_actionable()));
        }
    }
}

/// The generator must actually reach deep states; otherwise the property above
/// would only exercise refusals.
#[test]
fn generator_reaches_care_and_closure() {
    let mut reached_care = false;
    let mut reached_closed = false;
    let script: [(u8, usize); 6] = [(0, 0), (8, 0), (12, 0), (15, 3), (17, 0), (20, 0)];
    let mut case = Case::open(EventRecord::new(
        d(2025, 1, 6).and_hms_opt(9, 0, 0).unwrap(),
        toegang(VUGHT),
        aanmelding("P-2", VUGHT, Route::Maatwerk, VUGHT),
    ))
    .unwrap();
    let mut at = d(2025, 1, 6).and_hms_opt(9, 0, 0).unwrap();
    for (t, actor) in script {
        let ev = (0u8..=255)
            .find(|i| template(*i) == t && i % 5 != 0)
            .unwrap();
        at += Duration::days(1);
        let ev_ = event(ev, at.date(), &case);
        case.apply(EventRecord::new(at, actors()[actor].clone(), ev_))
            .unwrap_or_else(|e| panic!("template {t}: {e}"));
        reached_care |= *case.state() == CaseState::InZorg;
        reached_closed |= case.state().is_closed();
    }
    assert!(reached_care && reached_closed);
}

//! Clients walked through every route of every seed region.

mod common;

use chrono::Duration;
use common::*;
use regie_access::case::reden;
use regie_access::*;
use regie_domain::*;

// ---------------------------------------------------------------------------
// Amersfoort (seeds 000/001): aanvullende begeleiding via one consortium.

const AMF_HOOFD: &str = "10000001";
const AMF_ONDER_A: &str = "10000002";
const AMF_ONDER_B: &str = "10000003";
const OUTSIDER: &str = "19999999";

#[test]
fn amersfoort_begeleiding_via_consortium_and_move_inside_region() {
    let region = amersfoort();
    let lot = lot(
        "begeleiding",
        ProcurementForm::SingleConsortium,
        FundingVariant::Taakgericht,
        PayerRule::Woonplaatsbeginsel,
        vec![product(
            "02",
            "02X01",
            "Aanvullende begeleiding",
            Unit::StuksOutput,
        )],
    );
    let k = Consortium::new(agb(AMF_HOOFD), vec![agb(AMF_ONDER_A), agb(AMF_ONDER_B)]).unwrap();
    let contracts = vec![contract(
        "amf-beg",
        &lot,
        ContractParty::Consortium(k),
        d(2025, 1, 1),
    )];
    let providers = vec![
        provider(AMF_HOOFD, "Hoofdaannemer"),
        provider(AMF_ONDER_A, "Onder A"),
        provider(AMF_ONDER_B, "Onder B"),
    ];
    // The consortium serves the whole region; each municipality pays for its residents.
    let choice = ProviderChoice::new(&region, &lot, &contracts, &providers).region_wide(true);

    let leusden = toegang(LEUSDEN);
    let mut f = Flow::open(
        d(2025, 2, 3),
        leusden.clone(),
        aanmelding("AMF-1", LEUSDEN, Route::Maatwerk, LEUSDEN),
    );
    // Another municipality's local team cannot act on a Leusden case.
    assert_eq!(
        f.on(d(2025, 2, 4))
            .err(&toegang(SOEST), CaseEvent::OnderzoekGestart),
        AccessError::WrongToegang {
            actor: g(SOEST),
            expected: g(LEUSDEN)
        }
    );
    f.ok(&leusden, CaseEvent::OnderzoekGestart);
    let b = beschikking(
        "AMF-B1",
        pref("02", "02X01"),
        period(d(2025, 3, 1), Some(d(2025, 12, 31))),
        d(2025, 2, 20),
    );
    f.on(d(2025, 2, 20)).ok(
        &leusden,
        CaseEvent::BeschikkingAfgegeven {
            beschikking: b.clone(),
        },
    );
    assert_eq!(f.state(), &CaseState::Beschikt);

    // The client cannot pick a consortium member: orders go to the hoofdaannemer.
    assert!(matches!(
        choice.choose(
            "02X01",
            g(LEUSDEN),
            d(2025, 2, 20),
            Keuze::Aanbieder(agb(AMF_ONDER_A))
        ),
        Err(ChoiceError::FormMismatch {
            form: "single consortium",
            ..
        })
    ));
    assert_eq!(
        choice.options("02X01", g(LEUSDEN), d(2025, 2, 20)).unwrap(),
        vec![]
    );
    let order = choice
        .choose("02X01", g(LEUSDEN), d(2025, 2, 20), Keuze::Hoofdaannemer)
        .unwrap();
    assert_eq!(order.addressee, agb(AMF_HOOFD));
    let t = toewijzing(
        "AMF-T1",
        &b,
        agb(AMF_HOOFD),
        period(d(2025, 3, 1), Some(d(2025, 12, 31))),
    );
    // A toewijzing addressed to the onderaannemer does not fit the order.
    let mut wrong = t.clone();
    wrong.provider = agb(AMF_ONDER_A);
    assert!(matches!(
        order.toewijzing_event(wrong),
        Err(ChoiceError::WrongAddressee { .. })
    ));
    f.ok(&leusden, order.toewijzing_event(t).unwrap());
    assert_eq!(f.state(), &CaseState::Toegewezen);

    // Routing: only the hoofdaannemer routes, only to its onderaannemers.
    let route_to = |o: &str| CaseEvent::OnderaannemerGekozen {
        toewijzing_id: "AMF-T1".into(),
        onderaannemer: agb(o),
    };
    assert!(matches!(
        f.err(&prov(AMF_ONDER_A), route_to(AMF_ONDER_A)),
        AccessError::WrongProvider { .. }
    ));
    assert!(matches!(
        f.err(&prov(AMF_HOOFD), route_to(OUTSIDER)),
        AccessError::NotInConsortium { .. }
    ));
    f.ok(&prov(AMF_HOOFD), route_to(AMF_ONDER_B));
    assert_eq!(
        f.case.toewijzing("AMF-T1").unwrap().message_path(),
        MessagePath {
            addressee: agb(AMF_HOOFD),
            deliverer: agb(AMF_ONDER_B)
        }
    );
    f.on(d(2025, 3, 3)).ok(
        &prov(AMF_HOOFD),
        CaseEvent::ZorgGestart {
            toewijzing_id: "AMF-T1".into(),
            start: d(2025, 3, 1),
        },
    );
    assert_eq!(f.state(), &CaseState::InZorg);
    assert_eq!(f.case.payer_on("AMF-T1", d(2025, 5, 31)), Some(g(LEUSDEN)));

    // Move to Soest: region-wide arrangement continues, payer and toegang follow.
    f.on(d(2025, 6, 2)).ok(
        &brp(),
        CaseEvent::Verhuisd {
            naar: g(SOEST),
            datum: d(2025, 6, 1),
        },
    );
    assert_eq!(f.state(), &CaseState::InZorg);
    assert_eq!(f.case.payer_on("AMF-T1", d(2025, 5, 31)), Some(g(LEUSDEN)));
    assert_eq!(f.case.payer_on("AMF-T1", d(2025, 6, 1)), Some(g(SOEST)));
    assert_eq!(
        f.case.toewijzing("AMF-T1").unwrap().toewijzing.period.end(),
        Some(d(2025, 12, 31))
    );
    assert_eq!(f.case.toegang_gemeente(), g(SOEST));
    assert_eq!(f.case.client().municipality_on(d(2025, 6, 1)), g(SOEST));
    assert!(matches!(
        f.on(d(2025, 9, 1)).err(
            &leusden,
            CaseEvent::Uitgestroomd {
                laatste_dag: d(2025, 9, 30),
                bestemming: Bestemming::LokaalTeam { gemeente: g(SOEST) }
            }
        ),
        AccessError::WrongToegang { .. }
    ));
    // Afschaling to Soest's lokaal team ends the toewijzing with reden 05.
    f.ok(
        &toegang(SOEST),
        CaseEvent::Uitgestroomd {
            laatste_dag: d(2025, 9, 30),
            bestemming: Bestemming::LokaalTeam { gemeente: g(SOEST) },
        },
    );
    let t = &f.case.toewijzing("AMF-T1").unwrap().toewijzing;
    assert_eq!(t.period.end(), Some(d(2025, 9, 30)));
    assert_eq!(t.reden_wijziging, Some(reden::VERKORTING));
    assert_eq!(f.case.dossier_overgedragen_aan(), Some(g(SOEST)));
    // Closed cases accept nothing.
    let e = f
        .on(d(2025, 10, 1))
        .err(&toegang(SOEST), CaseEvent::HerbeoordelingGestart);
    assert!(matches!(e, AccessError::Closed { .. }));
    assert!(f.case.invariant_violations().is_empty());
}

// ---------------------------------------------------------------------------
// Amersfoort BW: up to five selected partners, centrumgemeente pays.

const BW: [&str; 5] = ["11000001", "11000002", "11000003", "11000004", "11000005"];

#[test]
fn amersfoort_bw_selected_partner_waiting_list_bridging_move_and_wlz() {
    let region = amersfoort();
    let lot = lot(
        "beschermd-wonen",
        ProcurementForm::SelectedPartners { max_partners: 5 },
        FundingVariant::Inspanningsgericht,
        PayerRule::Centrumgemeente {
            gemeente: g(AMERSFOORT),
        },
        vec![product("15", "15A01", "BW arrangement", Unit::Etmaal)],
    );
    let contracts: Vec<Contract> = BW
        .iter()
        .map(|p| {
            contract(
                &format!("bw-{p}"),
                &lot,
                ContractParty::Provider(agb(p)),
                d(2025, 1, 1),
            )
        })
        .collect();
    let providers: Vec<Provider> = BW.iter().map(|p| provider(p, "BW partner")).collect();
    let mut cap = CapacityTable::new();
    for p in BW {
        cap.set(agb(p), "15A01", 1);
    }
    cap.set(agb(BW[0]), "15A01", 0);
    let mut wl = WaitingList::new();
    for (i, case) in ["X1", "X2"].iter().enumerate() {
        wl.add(WaitingEntry {
            case_id: case.to_string(),
            client: "123456782".parse().unwrap(),
            product: "15A01".into(),
            provider: agb(BW[0]),
            aangevraagd_op: d(2025, 1, 10 + i as u32),
            urgentie: Urgentie::Regulier,
            overbrugging: None,
        })
        .unwrap();
    }
    let choice = ProviderChoice::new(&region, &lot, &contracts, &providers)
        .with_capacity(&cap)
        .with_waiting_list(&wl);
    let opts = choice.options("15A01", g(BAARN), d(2025, 3, 1)).unwrap();
    assert_eq!(opts.len(), 5);
    assert_eq!(opts[4].provider, agb(BW[0]), "full partner listed last");
    assert_eq!(opts[4].availability, Availability::Wachtlijst { ahead: 2 });
    assert!(matches!(
        choice.choose(
            "15A01",
            g(BAARN),
            d(2025, 3, 1),
            Keuze::Aanbieder(agb(OUTSIDER))
        ),
        Err(ChoiceError::NotContracted { .. })
    ));
    assert!(matches!(
        choice.choose("15A01", g(BAARN), d(2025, 3, 1), Keuze::Hoofdaannemer),
        Err(ChoiceError::FormMismatch { .. })
    ));
    assert!(matches!(
        choice.choose(
            "15A01",
            g(UTRECHT),
            d(2025, 3, 1),
            Keuze::Aanbieder(agb(BW[1]))
        ),
        Err(ChoiceError::OutsideRegion(_))
    ));
    // The client wants the full partner anyway: order with a waiting-list place.
    let order = choice
        .choose(
            "15A01",
            g(BAARN),
            d(2025, 3, 1),
            Keuze::Aanbieder(agb(BW[0])),
        )
        .unwrap();
    assert_eq!(order.availability, Availability::Wachtlijst { ahead: 2 });
    assert!(matches!(order.info.dekking, Dekking::Regio { .. }));

    let mut f = Flow::open(
        d(2025, 2, 3),
        toegang(BAARN),
        aanmelding("AMF-BW-1", BAARN, Route::BeschermdWonen, AMERSFOORT),
    );
    assert!(matches!(
        f.on(d(2025, 2, 4))
            .err(&toegang(BAARN), CaseEvent::OnderzoekGestart),
        AccessError::Unauthorized {
            role: Role::ToegangWorker,
            ..
        }
    ));
    f.ok(&rat(), CaseEvent::OnderzoekGestart);
    let b = beschikking(
        "AMF-BW-B1",
        pref("15", "15A01"),
        period(d(2025, 3, 1), Some(d(2027, 2, 28))),
        d(2025, 3, 1),
    );
    f.on(d(2025, 3, 1)).ok(
        &rat(),
        CaseEvent::BeschikkingAfgegeven {
            beschikking: b.clone(),
        },
    );
    let t = toewijzing(
        "AMF-BW-T1",
        &b,
        agb(BW[0]),
        period(d(2025, 3, 1), Some(d(2027, 2, 28))),
    );
    f.ok(&rat(), order.toewijzing_event(t).unwrap());
    wl.add(WaitingEntry {
        case_id: "AMF-BW-1".into(),
        client: bsn(),
        product: "15A01".into(),
        provider: agb(BW[0]),
        aangevraagd_op: d(2025, 3, 1),
        urgentie: Urgentie::Regulier,
        overbrugging: None,
    })
    .unwrap();
    assert_eq!(wl.position("AMF-BW-1", "15A01", agb(BW[0])), Some(3));

    // Bridging care is arranged by the municipality of residence, nobody else.
    let bridging = |start| CaseEvent::OverbruggingszorgIngezet {
        aanbieder: agb("12000001"),
        product: pref("02", "02N03"),
        start,
        omvang: None,
    };
    assert_eq!(
        f.err(&toegang(AMERSFOORT), bridging(d(2025, 3, 3))),
        AccessError::WrongToegang {
            actor: g(AMERSFOORT),
            expected: g(BAARN)
        }
    );
    f.ok(&toegang(BAARN), bridging(d(2025, 3, 3)));
    wl.set_overbrugging("AMF-BW-1", Some(agb("12000001")))
        .unwrap();
    assert_eq!(f.case.overbrugging_payer_on(d(2025, 3, 3)), Some(g(BAARN)));
    assert_eq!(
        f.case.payer_on("AMF-BW-T1", d(2025, 3, 3)),
        Some(g(AMERSFOORT))
    );

    // While waiting the client moves to Soest: BW continues (centrumgemeente
    // still pays), Baarn's bridging care ends the day before, Soest arranges its own.
    f.on(d(2025, 4, 2)).ok(
        &brp(),
        CaseEvent::Verhuisd {
            naar: g(SOEST),
            datum: d(2025, 4, 1),
        },
    );
    assert_eq!(f.state(), &CaseState::Toegewezen);
    assert_eq!(f.case.overbrugging()[0].periode.end(), Some(d(2025, 3, 31)));
    assert_eq!(f.case.overbrugging_payer_on(d(2025, 4, 1)), None);
    assert_eq!(
        f.case.payer_on("AMF-BW-T1", d(2025, 4, 1)),
        Some(g(AMERSFOORT))
    );
    assert_eq!(
        f.case.toegang_gemeente(),
        g(AMERSFOORT),
        "BW stays with the regional toegang"
    );
    f.ok(&toegang(SOEST), bridging(d(2025, 4, 1)));
    assert_eq!(f.case.overbrugging_payer_on(d(2025, 4, 20)), Some(g(SOEST)));

    // Placement.
    let placed = wl
        .place("AMF-BW-1", "15A01", agb(BW[0]), d(2025, 5, 1))
        .unwrap();
    assert_eq!(placed.waited_days(), 61);
    f.on(d(2025, 5, 1)).ok(
        &prov(BW[0]),
        CaseEvent::ZorgGestart {
            toewijzing_id: "AMF-BW-T1".into(),
            start: d(2025, 5, 1),
        },
    );
    assert_eq!(f.case.overbrugging()[1].periode.end(), Some(d(2025, 4, 30)));
    assert_eq!(wl.position("AMF-BW-1", "15A01", agb(BW[0])), None);

    // A complaint about the BW partner, counted for the quarterly talk.
    let mut reg = ComplaintRegister::new();
    reg.register(
        d(2025, 5, 20),
        agb(BW[0]),
        g(SOEST),
        Some("AMF-BW-1".into()),
        "bejegening",
    );
    reg.register(d(2025, 7, 2), agb(BW[0]), g(BAARN), None, "bereikbaarheid");
    let per_q = reg.complaints_per_quarter(ComplaintFilter::provider(agb(BW[0])));
    assert_eq!(
        per_q.into_iter().collect::<Vec<_>>(),
        vec![
            (Quarter { year: 2025, q: 2 }, 1),
            (Quarter { year: 2025, q: 3 }, 1)
        ]
    );
    assert_eq!(
        reg.complaints_per_quarter(ComplaintFilter::gemeente(g(SOEST)))
            .len(),
        1
    );

    // No perspective on recovery: referral to the CIZ during care, Wlz granted.
    f.on(d(2025, 9, 1)).ok(
        &rat(),
        CaseEvent::WlzVerwezen {
            reden: "blijvende behoefte aan permanent toezicht".into(),
        },
    );
    assert_eq!(
        f.err(
            &rat(),
            CaseEvent::WlzVerwezen {
                reden: "nog eens".into()
            }
        ),
        AccessError::WlzAlreadyPending
    );
    assert_eq!(
        f.on(d(2025, 10, 15)).err(
            &brp(),
            CaseEvent::WlzBesluit {
                toegekend: true,
                ingangsdatum: None
            }
        ),
        AccessError::WlzStartMissing
    );
    f.ok(
        &Actor::system("CIZ"),
        CaseEvent::WlzBesluit {
            toegekend: true,
            ingangsdatum: Some(d(2025, 11, 1)),
        },
    );
    assert_eq!(
        f.state(),
        &CaseState::Gesloten {
            afsluiting: Afsluiting::Wlz
        }
    );
    let t = &f.case.toewijzing("AMF-BW-T1").unwrap().toewijzing;
    assert_eq!(t.period.end(), Some(d(2025, 10, 31)));
    assert_eq!(t.reden_wijziging, Some(reden::ANDER_DOMEIN));
    assert!(f.case.invariant_violations().is_empty());
}

// ---------------------------------------------------------------------------
// Amersfoort safehouse: at most one year, then back to the municipality of origin.

#[test]
fn amersfoort_safehouse_max_one_year_then_back_to_origin() {
    let region = amersfoort();
    let lot = lot(
        "safehouse",
        ProcurementForm::SelectedPartners { max_partners: 1 },
        FundingVariant::Inspanningsgericht,
        PayerRule::Centrumgemeente {
            gemeente: g(AMERSFOORT),
        },
        vec![product(
            "18",
            "18S01",
            "Begeleid wonen in een safehouse",
            Unit::Etmaal,
        )],
    );
    let sh = "13000001";
    let contracts = vec![contract(
        "sh",
        &lot,
        ContractParty::Provider(agb(sh)),
        d(2025, 1, 1),
    )];
    let providers = vec![provider(sh, "Safehouse")];
    let choice = ProviderChoice::new(&region, &lot, &contracts, &providers);
    let route = Route::Safehouse {
        herkomst: g(BUNSCHOTEN),
    };
    let bun = toegang(BUNSCHOTEN);
    let mut f = Flow::open(
        d(2025, 1, 6),
        bun.clone(),
        aanmelding("SH-1", BUNSCHOTEN, route, BUNSCHOTEN),
    );
    f.on(d(2025, 1, 7)).ok(&bun, CaseEvent::OnderzoekGestart);
    let b = beschikking(
        "SH-B1",
        pref("18", "18S01"),
        period(d(2025, 2, 1), Some(d(2026, 3, 31))),
        d(2025, 1, 20),
    );
    f.on(d(2025, 1, 20)).ok(
        &bun,
        CaseEvent::BeschikkingAfgegeven {
            beschikking: b.clone(),
        },
    );
    let order = choice
        .choose(
            "18S01",
            g(BUNSCHOTEN),
            d(2025, 1, 20),
            Keuze::Aanbieder(agb(sh)),
        )
        .unwrap();
    let t = toewijzing(
        "SH-T1",
        &b,
        agb(sh),
        period(d(2025, 2, 1), Some(d(2026, 3, 31))),
    );
    f.ok(&bun, order.toewijzing_event(t).unwrap());
    f.on(d(2025, 2, 3)).ok(
        &prov(sh),
        CaseEvent::ZorgGestart {
            toewijzing_id: "SH-T1".into(),
            start: d(2025, 2, 1),
        },
    );
    // Living in the Amersfoort safehouse does not move the case: the municipality
    // of origin keeps it, the centrumgemeente keeps paying.
    f.on(d(2025, 2, 4)).ok(
        &brp(),
        CaseEvent::Verhuisd {
            naar: g(AMERSFOORT),
            datum: d(2025, 2, 1),
        },
    );
    assert_eq!(f.case.toegang_gemeente(), g(BUNSCHOTEN));
    assert_eq!(f.case.payer_on("SH-T1", d(2025, 6, 1)), Some(g(AMERSFOORT)));

    let engine = DeadlineEngine::seeds();
    let max = |case: &Case, as_of| {
        engine
            .evaluate(case, as_of)
            .into_iter()
            .find(|x| x.rule == "safehouse_max_1_jaar")
            .unwrap()
    };
    assert_eq!(max(&f.case, d(2026, 1, 15)).due, d(2026, 2, 1));
    assert_eq!(max(&f.case, d(2026, 1, 15)).status, DeadlineStatus::Open);
    let soon = f.case.deadlines(d(2026, 1, 15), Duration::days(30));
    assert!(soon.iter().any(|x| x.rule == "safehouse_max_1_jaar"));
    assert!(!f
        .case
        .deadlines(d(2025, 12, 1), Duration::days(30))
        .iter()
        .any(|x| x.rule == "safehouse_max_1_jaar"));
    assert_eq!(
        max(&f.case, d(2026, 2, 11)).status,
        DeadlineStatus::Missed {
            overdue_days: 10,
            closed_on: None
        }
    );

    // Returning "home" to the safehouse municipality is not a return to origin.
    assert_eq!(
        f.on(d(2026, 2, 16)).err(
            &bun,
            CaseEvent::Uitgestroomd {
                laatste_dag: d(2026, 2, 15),
                bestemming: Bestemming::TerugNaarHerkomst {
                    gemeente: g(AMERSFOORT)
                },
            }
        ),
        AccessError::WrongHerkomst {
            expected: Some(g(BUNSCHOTEN)),
            got: g(AMERSFOORT)
        }
    );
    f.ok(
        &bun,
        CaseEvent::Uitgestroomd {
            laatste_dag: d(2026, 2, 15),
            bestemming: Bestemming::TerugNaarHerkomst {
                gemeente: g(BUNSCHOTEN),
            },
        },
    );
    assert_eq!(
        max(&f.case, d(2026, 3, 1)).status,
        DeadlineStatus::Missed {
            overdue_days: 14,
            closed_on: Some(d(2026, 2, 15))
        }
    );
    assert_eq!(
        f.case.toewijzing("SH-T1").unwrap().toewijzing.period.end(),
        Some(d(2026, 2, 15))
    );
}

// ---------------------------------------------------------------------------
// Amersfoort respijt, with a bezwaar against the beschikking.

#[test]
fn amersfoort_respijt_with_bezwaar_gegrond() {
    let woud = toegang(WOUDENBERG);
    let resp = "14000001";
    let lot = lot(
        "respijt",
        ProcurementForm::SelectedPartners { max_partners: 1 },
        FundingVariant::Inspanningsgericht,
        PayerRule::Woonplaatsbeginsel,
        vec![product("04", "04R01", "Respijtverblijf", Unit::Etmaal)],
    );
    let contracts = vec![contract(
        "resp",
        &lot,
        ContractParty::Provider(agb(resp)),
        d(2025, 1, 1),
    )];
    let providers = vec![provider(resp, "Respijthuis")];
    let region = amersfoort();
    let mut f = Flow::open(
        d(2025, 3, 3),
        woud.clone(),
        aanmelding("R-1", WOUDENBERG, Route::Respijt, WOUDENBERG),
    );
    f.on(d(2025, 3, 4)).ok(&woud, CaseEvent::OnderzoekGestart);
    let mut b = beschikking(
        "R-B1",
        pref("04", "04R01"),
        period(d(2025, 4, 1), Some(d(2025, 12, 31))),
        d(2025, 3, 20),
    );
    b.intensiteit = Some(Omvang {
        volume: 12,
        unit: Unit::Etmaal,
        frequentie: Frequentie::Totaal,
    });
    f.on(d(2025, 3, 20)).ok(
        &woud,
        CaseEvent::BeschikkingAfgegeven {
            beschikking: b.clone(),
        },
    );

    // The client objects: too few stays. Lodged by the client within six weeks.
    let bezwaar = |on| CaseEvent::BezwaarIngediend {
        ingediend_op: on,
        gronden: "twaalf etmalen is te weinig om de mantelzorger te ontlasten".into(),
        verschoonbaar: false,
    };
    assert!(matches!(
        f.on(d(2025, 4, 1)).err(&woud, bezwaar(d(2025, 4, 1))),
        AccessError::Unauthorized { .. }
    ));
    f.ok(&Actor::Client, bezwaar(d(2025, 4, 1)));
    assert_eq!(
        f.err(&Actor::Client, bezwaar(d(2025, 4, 1))),
        AccessError::BezwaarAlreadyOpen
    );
    // Care proceeds during bezwaar (Awb 6:16: bezwaar does not suspend).
    let order = ProviderChoice::new(&region, &lot, &contracts, &providers)
        .choose(
            "04R01",
            g(WOUDENBERG),
            d(2025, 4, 1),
            Keuze::Aanbieder(agb(resp)),
        )
        .unwrap();
    assert_eq!(
        order.info.dekking,
        Dekking::Gemeente {
            gemeente: g(WOUDENBERG)
        }
    );
    let mut t = toewijzing(
        "R-T1",
        &b,
        agb(resp),
        period(d(2025, 4, 1), Some(d(2025, 12, 31))),
    );
    t.scope = Scope::Volume(b.intensiteit.unwrap());
    f.ok(&woud, order.toewijzing_event(t).unwrap());
    f.on(d(2025, 4, 14)).ok(
        &prov(resp),
        CaseEvent::ZorgGestart {
            toewijzing_id: "R-T1".into(),
            start: d(2025, 4, 14),
        },
    );
    // Decision term (Awb 7:10): twelve weeks from the end of the bezwaar term (2025-05-01).
    let dl: Vec<Deadline> = f
        .case
        .deadlines(d(2025, 7, 1), Duration::days(30))
        .into_iter()
        .filter(|x| x.rule == "bezwaar_beslistermijn")
        .collect();
    assert_eq!(dl.len(), 1);
    assert_eq!(dl[0].due, d(2025, 7, 24));
    assert_eq!(dl[0].owner, Role::Municipality);

    let mut herzien = b.clone();
    herzien.id = "R-B2".into();
    herzien.decided_on = d(2025, 6, 10);
    herzien.intensiteit = Some(Omvang {
        volume: 24,
        unit: Unit::Etmaal,
        frequentie: Frequentie::Totaal,
    });
    let gegrond = |hb: Option<Beschikking>| CaseEvent::BezwaarBeslist {
        beslist_op: d(2025, 6, 10),
        uitkomst: BezwaarUitkomst::Gegrond {
            herziene_beschikking: hb,
        },
    };
    f.on(d(2025, 6, 10));
    assert!(matches!(
        f.err(&college(LEUSDEN), gegrond(Some(herzien.clone()))),
        AccessError::WrongToegang { .. }
    ));
    assert_eq!(
        f.err(&college(WOUDENBERG), gegrond(None)),
        AccessError::RevisionMissing
    );
    f.ok(&college(WOUDENBERG), gegrond(Some(herzien.clone())));
    assert_eq!(f.case.beschikking().unwrap().id, "R-B2");
    assert_eq!(
        f.case.toewijzing("R-T1").unwrap().toewijzing.beschikking_id,
        "R-B2"
    );
    assert_eq!(f.case.eerdere_beschikkingen()[0].id, "R-B1");
    let met = DeadlineEngine::seeds()
        .evaluate(&f.case, d(2025, 6, 30))
        .into_iter()
        .find(|x| x.rule == "bezwaar_beslistermijn")
        .unwrap();
    assert_eq!(met.status, DeadlineStatus::Met { on: d(2025, 6, 10) });
    // A second bezwaar against the revised decision after six weeks is too late.
    assert_eq!(
        f.on(d(2025, 7, 30))
            .err(&Actor::Client, bezwaar(d(2025, 7, 30))),
        AccessError::BezwaarTooLate {
            dagtekening: d(2025, 6, 10),
            term_end: d(2025, 7, 22),
            lodged: d(2025, 7, 30)
        }
    );
    f.on(d(2025, 12, 31)).ok(
        &woud,
        CaseEvent::Uitgestroomd {
            laatste_dag: d(2025, 12, 31),
            bestemming: Bestemming::Beeindigd,
        },
    );
    assert_eq!(
        f.state(),
        &CaseState::Gesloten {
            afsluiting: Afsluiting::Beeindigd
        }
    );
    // The toewijzing ended on its own date; nothing was shortened.
    assert_eq!(
        f.case
            .toewijzing("R-T1")
            .unwrap()
            .toewijzing
            .reden_wijziging,
        None
    );
}

// ---------------------------------------------------------------------------
// Meierij (seed 004): open house, the client chooses; toegang per municipality.

#[test]
fn meierij_open_house_choice_herbeoordeling_and_move_out_of_municipality() {
    let region = meierij();
    let lot = lot(
        "specialistische-ondersteuning",
        ProcurementForm::OpenHouse {
            entry_every_months: 6,
        },
        FundingVariant::Inspanningsgericht,
        PayerRule::Woonplaatsbeginsel,
        vec![product(
            "02",
            "02A03",
            "Specialistische begeleiding",
            Unit::Hour,
        )],
    );
    let (a, b_, c, dd) = ("20000001", "20000002", "20000003", "20000004");
    let contracts = vec![
        contract("oh-a", &lot, ContractParty::Provider(agb(a)), d(2024, 1, 1)),
        contract(
            "oh-b",
            &lot,
            ContractParty::Provider(agb(b_)),
            d(2024, 1, 1),
        ),
        contract("oh-c", &lot, ContractParty::Provider(agb(c)), d(2024, 1, 1)),
    ];
    let mut lapsed = provider(b_, "HKZ verlopen");
    lapsed.admission.hkz_valid_until = Some(d(2024, 12, 31));
    let providers = vec![
        provider(a, "A"),
        lapsed,
        provider(c, "C"),
        provider(dd, "D"),
    ];
    let choice = ProviderChoice::new(&region, &lot, &contracts, &providers);
    let on = d(2025, 2, 20);
    let opts: Vec<AgbCode> = choice
        .options("02A03", g(VUGHT), on)
        .unwrap()
        .into_iter()
        .map(|o| o.provider)
        .collect();
    assert_eq!(
        opts,
        vec![agb(a), agb(c)],
        "only contracted and admitted providers"
    );
    assert!(matches!(
        choice.choose("02A03", g(VUGHT), on, Keuze::Aanbieder(agb(b_))),
        Err(ChoiceError::NotAdmitted { ref gaps, .. }) if gaps == &vec![AdmissionGap::NoQualityCertificate(on)]
    ));
    assert!(matches!(
        choice.choose("02A03", g(VUGHT), on, Keuze::Aanbieder(agb(dd))),
        Err(ChoiceError::NotContracted { .. })
    ));
    assert!(matches!(
        choice.choose("99X99", g(VUGHT), on, Keuze::Aanbieder(agb(a))),
        Err(ChoiceError::UnknownProduct { .. })
    ));
    let order = choice
        .choose("02A03", g(VUGHT), on, Keuze::Aanbieder(agb(c)))
        .unwrap();
    assert_eq!(order.info.adressering, Adressering::Direct);

    // Maatwerk belongs to the toegang of residence.
    let e = Case::open(EventRecord::new(
        d(2025, 2, 3).and_hms_opt(9, 0, 0).unwrap(),
        toegang(DEN_BOSCH),
        aanmelding("M-1", VUGHT, Route::Maatwerk, DEN_BOSCH),
    ))
    .unwrap_err();
    assert_eq!(
        e,
        AccessError::ToegangNotResidence {
            toegang: g(DEN_BOSCH),
            residence: g(VUGHT)
        }
    );
    let vught = toegang(VUGHT);
    let mut f = Flow::open(
        d(2025, 2, 3),
        vught.clone(),
        aanmelding("M-1", VUGHT, Route::Maatwerk, VUGHT),
    );
    f.on(d(2025, 2, 4)).ok(&vught, CaseEvent::OnderzoekGestart);
    let b1 = beschikking(
        "M-B1",
        pref("02", "02A03"),
        period(d(2025, 3, 1), Some(d(2025, 8, 31))),
        on,
    );
    f.on(on).ok(
        &vught,
        CaseEvent::BeschikkingAfgegeven {
            beschikking: b1.clone(),
        },
    );
    let t1 = toewijzing(
        "M-T1",
        &b1,
        agb(c),
        period(d(2025, 3, 1), Some(d(2025, 8, 31))),
    );
    f.ok(&vught, order.toewijzing_event(t1).unwrap());
    // The start message comes from the provider that received the order.
    assert!(matches!(
        f.on(d(2025, 3, 3)).err(
            &prov(a),
            CaseEvent::ZorgGestart {
                toewijzing_id: "M-T1".into(),
                start: d(2025, 3, 3)
            }
        ),
        AccessError::WrongProvider { .. }
    ));
    assert!(matches!(
        f.err(
            &prov(c),
            CaseEvent::ZorgGestart {
                toewijzing_id: "M-T1".into(),
                start: d(2025, 2, 28)
            }
        ),
        AccessError::StartOutsideToewijzing { .. }
    ));
    f.ok(
        &prov(c),
        CaseEvent::ZorgGestart {
            toewijzing_id: "M-T1".into(),
            start: d(2025, 3, 3),
        },
    );
    // A second toewijzing overlapping M-T1 for the same product and provider is refused (OP259).
    let stacked = toewijzing(
        "M-TS",
        &b1,
        agb(c),
        period(d(2025, 6, 1), Some(d(2025, 8, 31))),
    );
    assert!(matches!(
        f.on(d(2025, 5, 1))
            .err(&vught, order.toewijzing_event(stacked).unwrap()),
        AccessError::Care(CareError::Overlap { .. })
    ));
    // Herbeoordeling due 8 weeks before the end (2025-07-06); a new beschikking needs one.
    let b2 = beschikking(
        "M-B2",
        pref("02", "02A03"),
        period(d(2025, 9, 1), Some(d(2026, 8, 31))),
        d(2025, 7, 20),
    );
    f.on(d(2025, 7, 20));
    assert_eq!(
        f.err(
            &vught,
            CaseEvent::BeschikkingAfgegeven {
                beschikking: b2.clone()
            }
        ),
        AccessError::NoHerbeoordeling
    );
    let herb = DeadlineEngine::seeds()
        .evaluate(&f.case, d(2025, 7, 20))
        .into_iter()
        .find(|x| x.rule == "herbeoordeling")
        .unwrap();
    assert_eq!(herb.due, d(2025, 7, 6));
    assert_eq!(
        herb.status,
        DeadlineStatus::Missed {
            overdue_days: 14,
            closed_on: None
        }
    );
    f.ok(&vught, CaseEvent::HerbeoordelingGestart);
    f.ok(
        &vught,
        CaseEvent::BeschikkingAfgegeven {
            beschikking: b2.clone(),
        },
    );
    let t2 = toewijzing(
        "M-T2",
        &b2,
        agb(c),
        period(d(2025, 9, 1), Some(d(2026, 8, 31))),
    );
    // A toewijzing must lie inside the beschikking in force.
    let mut outside = t2.clone();
    outside.id = "M-TX".into();
    outside.period = period(d(2025, 8, 31), Some(d(2026, 8, 31)));
    assert!(matches!(
        f.err(&vught, order.toewijzing_event(outside).unwrap()),
        AccessError::Care(CareError::OutsideBeschikking { .. })
    ));
    f.ok(&vught, order.toewijzing_event(t2).unwrap());
    f.on(d(2025, 9, 2)).ok(
        &prov(c),
        CaseEvent::ZorgGestart {
            toewijzing_id: "M-T2".into(),
            start: d(2025, 9, 1),
        },
    );
    let all = DeadlineEngine::seeds().evaluate(&f.case, d(2025, 9, 2));
    let einde_b1 = all
        .iter()
        .find(|x| x.rule == "einde_beschikking" && x.due == d(2025, 8, 31))
        .unwrap();
    assert_eq!(einde_b1.status, DeadlineStatus::Met { on: d(2025, 7, 20) });

    // The client moves to 's-Hertogenbosch: a Vught arrangement ends the day
    // before with reden 07 and Den Bosch's toegang takes over with a new case.
    f.on(d(2025, 11, 3)).ok(
        &brp(),
        CaseEvent::Verhuisd {
            naar: g(DEN_BOSCH),
            datum: d(2025, 11, 1),
        },
    );
    let t = &f.case.toewijzing("M-T2").unwrap().toewijzing;
    assert_eq!(t.period.end(), Some(d(2025, 10, 31)));
    assert_eq!(t.reden_wijziging, Some(reden::VERHUIZING));
    assert_eq!(
        f.state(),
        &CaseState::Gesloten {
            afsluiting: Afsluiting::Overgedragen { aan: g(DEN_BOSCH) }
        }
    );
    assert_eq!(f.case.payer_on("M-T2", d(2025, 10, 31)), Some(g(VUGHT)));
    assert_eq!(f.case.payer_on("M-T2", d(2025, 11, 1)), None);
    // Open deadlines lapse when the case closes.
    assert!(f
        .case
        .deadlines(d(2026, 9, 1), Duration::days(365))
        .is_empty());
}

#[test]
fn meierij_withdrawal_deletes_unstarted_toewijzing() {
    let vught = toegang(VUGHT);
    let mut f = Flow::open(
        d(2025, 2, 3),
        vught.clone(),
        aanmelding("M-2", VUGHT, Route::Maatwerk, VUGHT),
    );
    f.on(d(2025, 2, 4)).ok(&vught, CaseEvent::OnderzoekGestart);
    let b = beschikking(
        "M2-B1",
        pref("02", "02A03"),
        period(d(2025, 3, 1), None),
        d(2025, 2, 10),
    );
    f.on(d(2025, 2, 10)).ok(
        &vught,
        CaseEvent::BeschikkingAfgegeven {
            beschikking: b.clone(),
        },
    );
    let order = OrderInfo {
        lot_id: "specialistische-ondersteuning".into(),
        contract_id: "oh-a".into(),
        adressering: Adressering::Direct,
        dekking: Dekking::Gemeente { gemeente: g(VUGHT) },
        betaler: PayerRule::Woonplaatsbeginsel,
    };
    let t = toewijzing("M2-T1", &b, agb("20000001"), period(d(2025, 3, 1), None));
    f.ok(
        &vught,
        CaseEvent::Toegewezen {
            toewijzing: t,
            order: order.clone(),
        },
    );
    f.on(d(2025, 2, 14)).ok(
        &Actor::Client,
        CaseEvent::Ingetrokken {
            reden: "mantelzorg geregeld".into(),
        },
    );
    let t = &f.case.toewijzing("M2-T1").unwrap().toewijzing;
    assert_eq!(t.reden_wijziging, Some(reden::VERWIJDERD));
    assert_eq!(
        t.period.end(),
        Some(t.period.start()),
        "reden 13: end equals start"
    );
    assert!(f.case.invariant_violations().is_empty());
}

#[test]
fn withdrawal_during_care_is_refused_with_state_and_event_named() {
    let vught = toegang(VUGHT);
    let mut f = Flow::open(
        d(2025, 2, 3),
        vught.clone(),
        aanmelding("M-3", VUGHT, Route::Maatwerk, VUGHT),
    );
    f.on(d(2025, 2, 4)).ok(&vught, CaseEvent::OnderzoekGestart);
    let b = beschikking(
        "M3-B1",
        pref("02", "02A03"),
        period(d(2025, 3, 1), None),
        d(2025, 2, 10),
    );
    f.on(d(2025, 2, 10)).ok(
        &vught,
        CaseEvent::BeschikkingAfgegeven {
            beschikking: b.clone(),
        },
    );
    let t = toewijzing("M3-T1", &b, agb("20000001"), period(d(2025, 3, 1), None));
    f.ok(
        &vught,
        CaseEvent::Toegewezen {
            toewijzing: t,
            order: OrderInfo {
                lot_id: "l".into(),
                contract_id: "c".into(),
                adressering: Adressering::Direct,
                dekking: Dekking::Gemeente { gemeente: g(VUGHT) },
                betaler: PayerRule::Woonplaatsbeginsel,
            },
        },
    );
    f.on(d(2025, 3, 2)).ok(
        &prov("20000001"),
        CaseEvent::ZorgGestart {
            toewijzing_id: "M3-T1".into(),
            start: d(2025, 3, 1),
        },
    );
    let e = f.err(&Actor::Client, CaseEvent::Ingetrokken { reden: "x".into() });
    assert_eq!(e.to_string(), "withdrawal is not allowed in state in zorg");
    // Events are recorded in time order.
    let back = EventRecord::new(
        d(2025, 1, 1).and_hms_opt(9, 0, 0).unwrap(),
        vught.clone(),
        CaseEvent::HerbeoordelingGestart,
    );
    assert!(matches!(
        f.case.apply(back),
        Err(AccessError::OutOfOrder { .. })
    ));
}

// ---------------------------------------------------------------------------
// Nijmegen (seed 002): Toegang Beschermd Wonen, centrumgemeente Nijmegen pays.

#[test]
fn nijmegen_bw_via_tbw_wlz_first_then_moves() {
    let region = gelderland_zuid();
    let lot = lot(
        "beschermd-wonen",
        ProcurementForm::SelectedPartners { max_partners: 9 },
        FundingVariant::Inspanningsgericht,
        PayerRule::Centrumgemeente {
            gemeente: g(NIJMEGEN),
        },
        vec![product("15", "15N02", "Beschermd thuis", Unit::Etmaal)],
    );
    let p = "40000001";
    let contracts = vec![contract(
        "gz-bw",
        &lot,
        ContractParty::Provider(agb(p)),
        d(2025, 1, 1),
    )];
    let providers = vec![provider(p, "BW aanbieder")];
    let tbw = Actor::regional("TBW Nijmegen");
    // The Buurtteam Volwassenen of Wijchen refers the client to TBW.
    let mut f = Flow::open(
        d(2025, 1, 13),
        toegang(WIJCHEN),
        aanmelding("GZ-1", WIJCHEN, Route::BeschermdWonen, NIJMEGEN),
    );
    f.on(d(2025, 1, 14)).ok(&tbw, CaseEvent::OnderzoekGestart);
    // Wlz is voorliggend: first check via the CIZ.
    f.ok(
        &tbw,
        CaseEvent::WlzVerwezen {
            reden: "mogelijk blijvend toezicht".into(),
        },
    );
    assert_eq!(f.state(), &CaseState::WlzVerwezen);
    assert!(matches!(
        f.err(
            &tbw,
            CaseEvent::Afgewezen {
                dagtekening: d(2025, 1, 14),
                motivering: "x".into(),
                rechtsmiddelen: "y".into()
            }
        ),
        AccessError::IllegalTransition {
            state: CaseState::WlzVerwezen,
            event: EventKind::Afgewezen
        }
    ));
    f.on(d(2025, 2, 20)).ok(
        &Actor::system("CIZ"),
        CaseEvent::WlzBesluit {
            toegekend: false,
            ingangsdatum: None,
        },
    );
    assert_eq!(
        f.state(),
        &CaseState::InOnderzoek,
        "Wlz refused: BW is considered again"
    );
    let b = beschikking(
        "GZ-B1",
        pref("15", "15N02"),
        period(d(2025, 3, 1), Some(d(2027, 2, 28))),
        d(2025, 2, 24),
    );
    f.on(d(2025, 2, 24)).ok(
        &tbw,
        CaseEvent::BeschikkingAfgegeven {
            beschikking: b.clone(),
        },
    );
    let order = ProviderChoice::new(&region, &lot, &contracts, &providers)
        .choose(
            "15N02",
            g(WIJCHEN),
            d(2025, 2, 24),
            Keuze::Aanbieder(agb(p)),
        )
        .unwrap();
    let t = toewijzing(
        "GZ-T1",
        &b,
        agb(p),
        period(d(2025, 3, 1), Some(d(2027, 2, 28))),
    );
    f.ok(&tbw, order.toewijzing_event(t).unwrap());
    f.on(d(2025, 3, 3)).ok(
        &Actor::system("iWmo 305"),
        CaseEvent::ZorgGestart {
            toewijzing_id: "GZ-T1".into(),
            start: d(2025, 3, 1),
        },
    );
    assert_eq!(f.case.payer_on("GZ-T1", d(2025, 3, 1)), Some(g(NIJMEGEN)));
    // Inside the region: continues, the centrumgemeente keeps paying.
    f.on(d(2025, 6, 2)).ok(
        &brp(),
        CaseEvent::Verhuisd {
            naar: g(TIEL),
            datum: d(2025, 6, 1),
        },
    );
    assert_eq!(f.state(), &CaseState::InZorg);
    assert_eq!(f.case.payer_on("GZ-T1", d(2025, 6, 1)), Some(g(NIJMEGEN)));
    // Out of the region: ended the day before, handed to Utrecht's toegang.
    f.on(d(2025, 10, 2)).ok(
        &brp(),
        CaseEvent::Verhuisd {
            naar: g(UTRECHT),
            datum: d(2025, 10, 1),
        },
    );
    assert_eq!(
        f.state(),
        &CaseState::Gesloten {
            afsluiting: Afsluiting::Overgedragen { aan: g(UTRECHT) }
        }
    );
    let t = &f.case.toewijzing("GZ-T1").unwrap().toewijzing;
    assert_eq!(
        (t.period.end(), t.reden_wijziging),
        (Some(d(2025, 9, 30)), Some(reden::VERHUIZING))
    );
    assert_eq!(f.case.client().residences().len(), 3);
}

// ---------------------------------------------------------------------------
// Hart van Brabant (seed 003): DAT-bepaling, perspectiefplan, overbruggingszorg.

#[test]
fn hart_van_brabant_bw_route_with_late_perspectiefplan() {
    // Step by step checks on the parts the shared builder does not assert.
    let mut f = Flow::open(
        d(2025, 1, 6),
        toegang(DONGEN),
        aanmelding(
            "HVB-2",
            DONGEN,
            Route::BeschermdWonenPerspectiefplan,
            TILBURG,
        ),
    );
    f.on(d(2025, 1, 7)).ok(&rat(), CaseEvent::OnderzoekGestart);
    // The first beschikking in this route is the perspectiefplan, not a direct decision.
    let b = hvb_plan(d(2025, 1, 7)).beschikking;
    assert_eq!(
        f.err(&rat(), CaseEvent::BeschikkingAfgegeven { beschikking: b }),
        AccessError::WrongRoute {
            route: RouteKind::BeschermdWonenPerspectiefplan,
            event: EventKind::BeschikkingAfgegeven
        }
    );
    // Only the regional team makes the DAT-bepaling.
    let dat = CaseEvent::DatAfgegeven {
        contractpartner: agb(HVB_HOOFDAANNEMER),
        motivering: "BW passend".into(),
    };
    assert!(matches!(
        f.err(&toegang(DONGEN), dat.clone()),
        AccessError::Unauthorized { .. }
    ));
    f.on(d(2025, 1, 15)).ok(&rat(), dat);
    // As of day 45 the plan is late and listed as missed.
    let late = f.case.deadlines(d(2025, 3, 1), Duration::days(14));
    let pp = late.iter().find(|x| x.rule == "perspectiefplan").unwrap();
    assert_eq!(pp.due, d(2025, 2, 26));
    assert_eq!(pp.owner, Role::Provider);
    assert_eq!(
        pp.status,
        DeadlineStatus::Missed {
            overdue_days: 3,
            closed_on: None
        }
    );
    // Another provider cannot deliver the contract partner's plan.
    assert!(matches!(
        f.on(d(2025, 3, 6)).err(
            &prov(HVB_ONDER_A),
            CaseEvent::PerspectiefplanOpgesteld {
                plan: hvb_plan(d(2025, 3, 6))
            }
        ),
        AccessError::WrongProvider { .. }
    ));

    // The full route from the shared builder.
    let f = hvb_case();
    let c = &f.case;
    assert_eq!(c.state(), &CaseState::InZorg);
    assert_eq!(
        c.beschikking().unwrap().id,
        "HVB-B1",
        "the plan's beschikking binds"
    );
    assert_eq!(
        c.toewijzing("HVB-T1").unwrap().message_path().deliverer,
        agb(HVB_ONDER_B)
    );
    // Overbruggingszorg ran until the day before placement, paid by Dongen.
    assert_eq!(c.overbrugging()[0].periode.end(), Some(d(2025, 3, 31)));
    assert_eq!(c.overbrugging_payer_on(d(2025, 2, 1)), Some(g(DONGEN)));
    assert_eq!(c.payer_on("HVB-T1", d(2025, 4, 1)), Some(g(DONGEN)));
    let all = DeadlineEngine::seeds().evaluate(c, d(2025, 9, 10));
    let status = |rule: &str| {
        all.iter()
            .filter(|x| x.rule == rule)
            .map(|x| x.status.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        status("perspectiefplan"),
        vec![DeadlineStatus::Missed {
            overdue_days: 8,
            closed_on: Some(d(2025, 3, 6))
        }]
    );
    assert_eq!(
        status("plaatsing"),
        vec![DeadlineStatus::Met { on: d(2025, 4, 1) }]
    );
    assert_eq!(
        status("evaluatie"),
        vec![
            DeadlineStatus::Missed {
                overdue_days: 2,
                closed_on: Some(d(2025, 6, 3))
            },
            DeadlineStatus::Missed {
                overdue_days: 9,
                closed_on: None
            },
            DeadlineStatus::Open,
        ]
    );

    let mut f = f;
    // Evaluations are a conversation of client, provider and regional team.
    assert_eq!(
        f.on(d(2025, 9, 12)).err(
            &rat(),
            CaseEvent::Geevalueerd {
                datum: d(2025, 9, 12),
                deelnemers: vec![Role::Client, Role::Provider],
                bevindingen: "x".into()
            }
        ),
        AccessError::EvaluationIncomplete(vec![Role::RegionalAccessTeam])
    );
    // Outflow must hand the file to the local toegang of the destination.
    let out = |b| CaseEvent::Uitgestroomd {
        laatste_dag: d(2025, 12, 31),
        bestemming: b,
    };
    assert_eq!(
        f.on(d(2025, 12, 15))
            .err(&rat(), out(Bestemming::Beeindigd)),
        AccessError::HandoverRequired
    );
    f.ok(
        &rat(),
        out(Bestemming::LokaalTeam {
            gemeente: g(WAALWIJK),
        }),
    );
    assert_eq!(f.case.dossier_overgedragen_aan(), Some(g(WAALWIJK)));
    assert!(f.case.invariant_violations().is_empty());
}

#[test]
fn hart_van_brabant_plan_disagreement_goes_to_bezwaar() {
    let mut f = Flow::open(
        d(2025, 1, 6),
        toegang(DONGEN),
        aanmelding(
            "HVB-3",
            DONGEN,
            Route::BeschermdWonenPerspectiefplan,
            TILBURG,
        ),
    );
    f.on(d(2025, 1, 7)).ok(&rat(), CaseEvent::OnderzoekGestart);
    f.ok(
        &rat(),
        CaseEvent::DatAfgegeven {
            contractpartner: agb(HVB_HOOFDAANNEMER),
            motivering: "BW passend".into(),
        },
    );
    f.on(d(2025, 2, 10)).ok(
        &prov(HVB_HOOFDAANNEMER),
        CaseEvent::PerspectiefplanOpgesteld {
            plan: hvb_plan(d(2025, 2, 10)),
        },
    );
    f.on(d(2025, 2, 12)).ok(
        &Actor::Client,
        CaseEvent::PerspectiefplanReactie { akkoord: false },
    );
    assert_eq!(f.state(), &CaseState::PerspectiefplanBetwist);
    f.on(d(2025, 2, 20)).ok(
        &Actor::Client,
        CaseEvent::BezwaarIngediend {
            ingediend_op: d(2025, 2, 20),
            gronden: "te weinig uren begeleiding".into(),
            verschoonbaar: false,
        },
    );
    assert_eq!(
        f.case.open_bezwaar().unwrap().tegen,
        BezwaarTegen::Perspectiefplan {
            beschikking_id: "HVB-B1".into()
        }
    );
    // While the bezwaar is open, agreeing is not possible.
    assert!(matches!(
        f.err(
            &Actor::Client,
            CaseEvent::PerspectiefplanReactie { akkoord: true }
        ),
        AccessError::IllegalTransition { .. }
    ));
    // Bezwaar is handled by the college of Tilburg (the procedure named in seed 003).
    let ongegrond = CaseEvent::BezwaarBeslist {
        beslist_op: d(2025, 4, 1),
        uitkomst: BezwaarUitkomst::Ongegrond,
    };
    f.on(d(2025, 4, 1));
    assert!(matches!(
        f.err(&college(DONGEN), ongegrond.clone()),
        AccessError::WrongToegang { .. }
    ));
    f.ok(&college(TILBURG), ongegrond);
    assert_eq!(f.state(), &CaseState::Beschikt, "the plan stands and binds");
    assert_eq!(f.case.beschikking().unwrap().id, "HVB-B1");
}

#[test]
fn afwijzing_with_bezwaar_gegrond_reopens_onderzoek() {
    let tbw = Actor::regional("TBW Nijmegen");
    let mut f = Flow::open(
        d(2025, 1, 13),
        toegang(WIJCHEN),
        aanmelding("GZ-2", WIJCHEN, Route::BeschermdWonen, NIJMEGEN),
    );
    f.on(d(2025, 1, 14)).ok(&tbw, CaseEvent::OnderzoekGestart);
    f.on(d(2025, 2, 3)).ok(
        &tbw,
        CaseEvent::Afgewezen {
            dagtekening: d(2025, 2, 3),
            motivering: "ambulante begeleiding volstaat".into(),
            rechtsmiddelen: "bezwaar binnen zes weken".into(),
        },
    );
    assert_eq!(f.case.bezwaartermijn_einde(), Some(d(2025, 3, 17)));
    assert_eq!(
        f.on(d(2025, 3, 10))
            .err(&tbw, CaseEvent::AfwijzingOnherroepelijk),
        AccessError::BezwaartermijnLoopt(d(2025, 3, 17))
    );
    // Late but excusable bezwaar is admitted (Awb 6:11); decision term then runs from lodging.
    f.on(d(2025, 3, 20)).ok(
        &Actor::Client,
        CaseEvent::BezwaarIngediend {
            ingediend_op: d(2025, 3, 20),
            gronden: "opgenomen in ziekenhuis tijdens de termijn".into(),
            verschoonbaar: true,
        },
    );
    let dl = f.case.deadlines(d(2025, 3, 20), Duration::weeks(13));
    let bt = dl
        .iter()
        .find(|x| x.rule == "bezwaar_beslistermijn")
        .unwrap();
    assert_eq!((bt.anchor_date, bt.due), (d(2025, 3, 20), d(2025, 6, 12)));
    assert_eq!(
        f.on(d(2025, 5, 1)).err(
            &college(NIJMEGEN),
            CaseEvent::BezwaarBeslist {
                beslist_op: d(2025, 3, 1),
                uitkomst: BezwaarUitkomst::Ongegrond
            }
        ),
        AccessError::DecidedBeforeLodged {
            lodged: d(2025, 3, 20),
            decided: d(2025, 3, 1)
        }
    );
    f.ok(
        &college(NIJMEGEN),
        CaseEvent::BezwaarBeslist {
            beslist_op: d(2025, 5, 1),
            uitkomst: BezwaarUitkomst::Gegrond {
                herziene_beschikking: None,
            },
        },
    );
    assert_eq!(f.state(), &CaseState::InOnderzoek);
    assert!(f.case.invariant_violations().is_empty());
}

#[test]
fn afwijzing_becomes_final_after_the_term() {
    let tbw = Actor::regional("TBW");
    let mut f = Flow::open(
        d(2025, 1, 13),
        toegang(WIJCHEN),
        aanmelding("GZ-3", WIJCHEN, Route::BeschermdWonen, NIJMEGEN),
    );
    f.on(d(2025, 1, 14)).ok(&tbw, CaseEvent::OnderzoekGestart);
    // Wijchen bridges the research period with ambulante begeleiding.
    f.ok(
        &toegang(WIJCHEN),
        CaseEvent::OverbruggingszorgIngezet {
            aanbieder: agb("40000009"),
            product: pref("02", "02N03"),
            start: d(2025, 1, 14),
            omvang: None,
        },
    );
    f.on(d(2025, 2, 3)).ok(
        &tbw,
        CaseEvent::Afgewezen {
            dagtekening: d(2025, 2, 3),
            motivering: "m".into(),
            rechtsmiddelen: "r".into(),
        },
    );
    f.on(d(2025, 3, 18))
        .ok(&tbw, CaseEvent::AfwijzingOnherroepelijk);
    assert_eq!(
        f.state(),
        &CaseState::Gesloten {
            afsluiting: Afsluiting::AfwijzingDefinitief
        }
    );
    // Found by the property test: a final afwijzing must end bridging care too.
    assert_eq!(f.case.overbrugging()[0].periode.end(), Some(d(2025, 3, 18)));
    assert!(f.case.invariant_violations().is_empty());
    let onderzoek = DeadlineEngine::seeds()
        .evaluate(&f.case, d(2025, 4, 1))
        .into_iter()
        .find(|x| x.rule == "onderzoek")
        .unwrap();
    assert_eq!(onderzoek.status, DeadlineStatus::Met { on: d(2025, 2, 3) });
}

#[test]
fn events_roundtrip_through_json_and_replay() {
    let f = hvb_case();
    let json = serde_json::to_string(&f.case.events()).unwrap();
    let back: Vec<EventRecord> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, f.case.events());
    let replayed = Case::replay(back).unwrap();
    assert_eq!(replayed, f.case);
    assert_eq!(
        Case::replay(Vec::new()).unwrap_err(),
        AccessError::EmptyHistory
    );
    let mut wrong = f.case.events();
    wrong.remove(0);
    assert_eq!(
        Case::replay(wrong).unwrap_err(),
        AccessError::NotOpened(EventKind::OnderzoekGestart)
    );
}

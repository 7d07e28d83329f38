//! Fixtures shared by the integration tests: seed regions, lots, providers and
//! a small driver that applies events at a moving clock.
#![allow(dead_code)]

use chrono::{NaiveDate, NaiveDateTime};
use regie_access::*;
use regie_domain::*;

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
pub fn g(code: &str) -> Gemeentecode {
    code.parse().unwrap()
}
pub fn agb(s: &str) -> AgbCode {
    s.parse().unwrap()
}
pub fn bsn() -> Bsn {
    "111222333".parse().unwrap()
}

// Municipalities (CBS codes).
pub const AMERSFOORT: &str = "0307";
pub const BAARN: &str = "0308";
pub const BUNSCHOTEN: &str = "0313";
pub const LEUSDEN: &str = "0327";
pub const NIJKERK: &str = "0267";
pub const SOEST: &str = "0342";
pub const WOUDENBERG: &str = "0351";
pub const DEN_BOSCH: &str = "0796";
pub const VUGHT: &str = "0865";
pub const MEIERIJSTAD: &str = "1948";
pub const NIJMEGEN: &str = "0268";
pub const WIJCHEN: &str = "0296";
pub const TIEL: &str = "0281";
pub const UTRECHT: &str = "0344";
pub const TILBURG: &str = "0855";
pub const DONGEN: &str = "0766";
pub const WAALWIJK: &str = "0867";

fn region(id: &str, name: &str, members: &[(&str, &str)], centrum: Option<&str>) -> Region {
    Region::new(
        id,
        name,
        members
            .iter()
            .map(|(c, n)| Municipality {
                code: g(c),
                name: n.to_string(),
            })
            .collect(),
        centrum.map(g),
    )
    .unwrap()
}

pub fn amersfoort() -> Region {
    region(
        "amersfoort",
        "Regio Amersfoort",
        &[
            (AMERSFOORT, "Amersfoort"),
            (BAARN, "Baarn"),
            (BUNSCHOTEN, "Bunschoten"),
            (LEUSDEN, "Leusden"),
            (NIJKERK, "Nijkerk"),
            (SOEST, "Soest"),
            (WOUDENBERG, "Woudenberg"),
        ],
        Some(AMERSFOORT),
    )
}

pub fn meierij() -> Region {
    region(
        "meierij",
        "Meierij",
        &[
            (DEN_BOSCH, "'s-Hertogenbosch"),
            (VUGHT, "Vught"),
            (MEIERIJSTAD, "Meierijstad"),
        ],
        None,
    )
}

pub fn gelderland_zuid() -> Region {
    region(
        "gelderland-zuid",
        "Gelderland-Zuid",
        &[(NIJMEGEN, "Nijmegen"), (WIJCHEN, "Wijchen"), (TIEL, "Tiel")],
        Some(NIJMEGEN),
    )
}

pub fn hart_van_brabant() -> Region {
    region(
        "hart-van-brabant",
        "Hart van Brabant",
        &[
            (TILBURG, "Tilburg"),
            (DONGEN, "Dongen"),
            (WAALWIJK, "Waalwijk"),
        ],
        Some(TILBURG),
    )
}

pub fn admitted() -> AdmissionEvidence {
    AdmissionEvidence {
        hkz_valid_until: Some(d(2030, 12, 31)),
        iso_valid_until: None,
        complaints_regulation: true,
        meldcode: true,
        avg: true,
        vog: true,
    }
}

pub fn provider(code: &str, name: &str) -> Provider {
    Provider {
        agb: agb(code),
        kvk: None,
        name: name.into(),
        admission: admitted(),
    }
}

pub fn product(cat: &str, code: &str, name: &str, unit: Unit) -> Product {
    Product::new(
        cat.parse().unwrap(),
        Some(code.parse().unwrap()),
        name,
        unit,
        None,
        vec![],
    )
    .unwrap()
}

pub fn pref(cat: &str, code: &str) -> ProductRef {
    ProductRef {
        categorie: cat.parse().unwrap(),
        code: Some(code.parse().unwrap()),
    }
}

pub fn lot(
    id: &str,
    procurement: ProcurementForm,
    funding: FundingVariant,
    payer: PayerRule,
    products: Vec<Product>,
) -> Lot {
    Lot {
        id: id.into(),
        name: id.into(),
        procurement,
        funding,
        payer,
        products,
        reference_cost: None,
    }
}

pub fn contract(id: &str, lot: &Lot, party: ContractParty, start: NaiveDate) -> Contract {
    let lumpsum = (lot.funding == FundingVariant::Taakgericht).then(|| TaakgerichtTerms {
        annual_budget: vec![],
        client_bandwidth: (0, 1000),
    });
    Contract::new(id, lot, party, start, 4, vec![2, 2], None, lumpsum).unwrap()
}

pub fn beschikking(
    id: &str,
    product: ProductRef,
    duur: Period,
    decided_on: NaiveDate,
) -> Beschikking {
    Beschikking {
        id: id.into(),
        client: bsn(),
        aard: "maatwerkvoorziening".into(),
        product,
        intensiteit: None,
        duur,
        decided_on,
        motivation:
            "Onderzoek wijst uit dat de zelfredzaamheid onvoldoende is (Wmo 2015 art. 2.3.5)."
                .into(),
        rechtsmiddelen: "U kunt binnen zes weken na de dagtekening bezwaar maken.".into(),
    }
}

pub fn period(start: NaiveDate, end: Option<NaiveDate>) -> Period {
    Period::new(start, end).unwrap()
}

pub fn toewijzing(id: &str, b: &Beschikking, provider: AgbCode, p: Period) -> Toewijzing {
    Toewijzing {
        id: id.into(),
        beschikking_id: b.id.clone(),
        client: bsn(),
        provider,
        product: b.product,
        scope: Scope::Unspecified,
        period: p,
        reden_wijziging: None,
    }
}

pub fn client(gemeente: &str) -> ClientGegevens {
    ClientGegevens {
        bsn: bsn(),
        geboortedatum: d(1985, 4, 12),
        gemeente: g(gemeente),
        woont_sinds: d(2010, 1, 1),
        persoonsgegevens: None,
    }
}

pub fn aanmelding(case_id: &str, woont: &str, route: Route, toegang: &str) -> CaseEvent {
    CaseEvent::Aangemeld {
        case_id: case_id.into(),
        client: client(woont),
        route,
        toegang_gemeente: g(toegang),
        hulpvraag: "Ik red het niet meer zelfstandig.".into(),
    }
}

/// Drives a case with a clock that only moves forward.
pub struct Flow {
    pub case: Case,
    pub now: NaiveDateTime,
}

impl Flow {
    pub fn open(on: NaiveDate, actor: Actor, ev: CaseEvent) -> Flow {
        let now = on.and_hms_opt(9, 0, 0).unwrap();
        Flow {
            case: Case::open(EventRecord::new(now, actor, ev)).unwrap(),
            now,
        }
    }

    /// Moves the clock to `on` (09:00) or, on the same day, one minute on.
    pub fn on(&mut self, on: NaiveDate) -> &mut Self {
        let t = on.and_hms_opt(9, 0, 0).unwrap();
        self.now = if t > self.now {
            t
        } else {
            self.now + chrono::Duration::minutes(1)
        };
        self
    }

    #[track_caller]
    pub fn ok(&mut self, actor: &Actor, ev: CaseEvent) -> &mut Self {
        let kind = ev.kind();
        if let Err(e) = self
            .case
            .apply(EventRecord::new(self.now, actor.clone(), ev))
        {
            panic!("{kind} by {actor} at {} refused: {e}", self.now);
        }
        self
    }

    /// Applies an event that must be refused, and checks the case is unchanged.
    #[track_caller]
    pub fn err(&mut self, actor: &Actor, ev: CaseEvent) -> AccessError {
        let before = self.case.clone();
        let e = self
            .case
            .apply(EventRecord::new(self.now, actor.clone(), ev))
            .expect_err("event should be refused");
        assert_eq!(self.case, before, "refused event changed the case");
        e
    }

    pub fn state(&self) -> &CaseState {
        self.case.state()
    }
}

pub fn rat() -> Actor {
    Actor::regional("regionaal team")
}
pub fn toegang(gemeente: &str) -> Actor {
    Actor::toegang(g(gemeente), format!("medewerker {gemeente}"))
}
pub fn prov(code: &str) -> Actor {
    Actor::provider(agb(code))
}
pub fn college(gemeente: &str) -> Actor {
    Actor::Municipality {
        gemeente: g(gemeente),
    }
}
pub fn brp() -> Actor {
    Actor::system("BRP")
}

// ---------------------------------------------------------------------------
// Hart van Brabant beschermd wonen: the full route, reused by the snapshot test.

pub const HVB_HOOFDAANNEMER: &str = "30000001";
pub const HVB_ONDER_A: &str = "30000002";
pub const HVB_ONDER_B: &str = "30000003";
pub const HVB_OVERBRUGGING: &str = "30000009";

pub fn hvb_lot() -> Lot {
    lot(
        "beschermd-wonen",
        ProcurementForm::SingleConsortium,
        FundingVariant::Taakgericht,
        PayerRule::Woonplaatsbeginsel,
        vec![product("15", "15B01", "Beschermd wonen", Unit::StuksOutput)],
    )
}

pub fn hvb_contracts(lot: &Lot) -> Vec<Contract> {
    let k = Consortium::new(
        agb(HVB_HOOFDAANNEMER),
        vec![agb(HVB_ONDER_A), agb(HVB_ONDER_B)],
    )
    .unwrap();
    vec![contract(
        "hvb-bw",
        lot,
        ContractParty::Consortium(k),
        d(2022, 7, 1),
    )]
}

pub fn hvb_providers() -> Vec<Provider> {
    vec![
        provider(HVB_HOOFDAANNEMER, "Contractpartner BW Hart van Brabant"),
        provider(HVB_ONDER_A, "Onderaannemer A"),
        provider(HVB_ONDER_B, "Onderaannemer B"),
    ]
}

pub fn hvb_plan(decided_on: NaiveDate) -> Perspectiefplan {
    Perspectiefplan {
        beschikking: beschikking(
            "HVB-B1",
            pref("15", "15B01"),
            period(d(2025, 3, 15), Some(d(2026, 3, 14))),
            decided_on,
        ),
        doelen: vec!["zelfstandig wonen met ambulante begeleiding".into()],
        evaluatiemomenten: vec![d(2025, 6, 1), d(2025, 9, 1), d(2025, 12, 1)],
        overbrugging: Some("ambulante begeleiding door gemeente Dongen tot plaatsing".into()),
    }
}

/// Walks a Dongen resident through the Hart van Brabant BW route up to the
/// second evaluation. The perspectiefplan is 8 days late (due 2025-02-26).
pub fn hvb_case() -> Flow {
    let lot = hvb_lot();
    let contracts = hvb_contracts(&lot);
    let providers = hvb_providers();
    let region = hart_van_brabant();
    let h = prov(HVB_HOOFDAANNEMER);
    let mut f = Flow::open(
        d(2025, 1, 6),
        toegang(DONGEN),
        aanmelding(
            "HVB-1",
            DONGEN,
            Route::BeschermdWonenPerspectiefplan,
            TILBURG,
        ),
    );
    f.on(d(2025, 1, 7)).ok(&rat(), CaseEvent::OnderzoekGestart);
    f.on(d(2025, 1, 15)).ok(
        &rat(),
        CaseEvent::DatAfgegeven {
            contractpartner: agb(HVB_HOOFDAANNEMER),
            motivering: "niet planbare zorg, 24/7 toezicht nodig".into(),
        },
    );
    f.on(d(2025, 1, 20)).ok(
        &toegang(DONGEN),
        CaseEvent::OverbruggingszorgIngezet {
            aanbieder: agb(HVB_OVERBRUGGING),
            product: pref("02", "02N03"),
            start: d(2025, 1, 20),
            omvang: None,
        },
    );
    f.on(d(2025, 3, 6)).ok(
        &h,
        CaseEvent::PerspectiefplanOpgesteld {
            plan: hvb_plan(d(2025, 3, 6)),
        },
    );
    f.on(d(2025, 3, 10)).ok(
        &Actor::Client,
        CaseEvent::PerspectiefplanReactie { akkoord: true },
    );
    let choice = ProviderChoice::new(&region, &lot, &contracts, &providers).region_wide(true);
    let order = choice
        .choose("15B01", g(DONGEN), d(2025, 3, 10), Keuze::Hoofdaannemer)
        .unwrap();
    let b = f.case.beschikking().unwrap().clone();
    let t = toewijzing(
        "HVB-T1",
        &b,
        order.addressee,
        period(d(2025, 4, 1), Some(d(2026, 3, 14))),
    );
    f.on(d(2025, 3, 12))
        .ok(&rat(), order.toewijzing_event(t).unwrap());
    f.on(d(2025, 3, 13)).ok(
        &h,
        CaseEvent::OnderaannemerGekozen {
            toewijzing_id: "HVB-T1".into(),
            onderaannemer: agb(HVB_ONDER_B),
        },
    );
    f.on(d(2025, 4, 2)).ok(
        &h,
        CaseEvent::ZorgGestart {
            toewijzing_id: "HVB-T1".into(),
            start: d(2025, 4, 1),
        },
    );
    f.on(d(2025, 6, 3)).ok(
        &rat(),
        CaseEvent::Geevalueerd {
            datum: d(2025, 6, 3),
            deelnemers: vec![Role::Client, Role::Provider, Role::RegionalAccessTeam],
            bevindingen: "doelen op koers".into(),
        },
    );
    f
}

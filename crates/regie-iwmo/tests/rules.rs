//! Corpus of deliberately broken messages, built in code from valid samples:
//! each case breaks one rule and must be reported with that rule's code and
//! retourcode, at the expected class, and show up in the retour message.

use chrono::NaiveDate;
use regie_iwmo::bericht::{self, Bericht};
use regie_iwmo::model::*;
use regie_iwmo::sample::{self, bsn, Partijen};
use regie_iwmo::types::*;
use regie_iwmo::validate::{self, InMemoryContext, Options, RetourParams, Uitvoeringsvariant};
use std::collections::BTreeSet;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Chain state every case starts from: client bsn(1) has toewijzing 1001
/// (started, declared in March under DN1), client bsn(2) has verzoek REF-1 open.
fn base() -> InMemoryContext {
    let p = Partijen::default();
    let mut ctx = InMemoryContext::new();
    ctx.record(&Bericht::Wmo301(sample::toewijzing(&p, "T1", bsn(1), 1001)));
    ctx.record(&Bericht::Wmo305(sample::start(&p, "S1", bsn(1), 1001)));
    ctx.record(&Bericht::Wmo315(sample::verzoek_toewijzing(
        &p,
        "V1",
        bsn(2),
        "REF-1",
    )));
    ctx.record(&Bericht::Wmo323(sample::declaratie(
        &p,
        "D1",
        "DN1",
        &[(bsn(1), 1001)],
    )));
    ctx.set_tarief("0363", "12345678", "02A01", Eenheid::Uur, 6000);
    ctx
}

struct Runner {
    covered: BTreeSet<&'static str>,
    cases: usize,
}

impl Runner {
    /// Serialises, validates the bytes, and checks the expected rule, its retourcode and the retour.
    fn check(
        &mut self,
        name: &str,
        ctx: &InMemoryContext,
        variant: Uitvoeringsvariant,
        b: &Bericht,
        code: &'static str,
    ) {
        let xml = b.to_xml();
        self.check_xml(name, ctx, variant, xml.as_bytes(), code);
    }

    fn check_xml(
        &mut self,
        name: &str,
        ctx: &InMemoryContext,
        variant: Uitvoeringsvariant,
        xml: &[u8],
        code: &'static str,
    ) {
        let report = validate::validate_with(
            xml,
            ctx,
            &Options {
                variant,
                alleen_bericht: false,
            },
        );
        let rule =
            validate::rules::by_code(code).unwrap_or_else(|| panic!("{code} not in catalogue"));
        let issue = report
            .issues
            .iter()
            .find(|i| i.rule.code == code)
            .unwrap_or_else(|| panic!("{name}: expected {code}, got\n{report}"));
        assert_eq!(issue.retourcode(), rule.retourcode, "{name}");
        let retour = validate::retour_for(&report, &RetourParams::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let rxml = retour.to_xml();
        assert!(
            rxml.contains(&format!("RetourCode>{}<", rule.retourcode.code())),
            "{name}: retour lacks {}:\n{rxml}",
            rule.retourcode
        );
        assert_eq!(
            bericht::parse(rxml.as_bytes())
                .map_err(|e| e.error)
                .unwrap(),
            retour,
            "{name}: retour roundtrip"
        );
        self.covered.insert(code);
        self.cases += 1;
    }
}

fn with301(f: impl FnOnce(&mut bericht::Wmo301)) -> Bericht {
    let mut m = sample::toewijzing(&Partijen::default(), "T50", bsn(50), 5001);
    f(&mut m);
    Bericht::Wmo301(m)
}

fn with305(f: impl FnOnce(&mut bericht::Wmo305)) -> Bericht {
    let mut m = sample::start(&Partijen::default(), "S50", bsn(1), 1001);
    m.client.start_producten[0].begindatum = d(2024, 1, 9);
    f(&mut m);
    Bericht::Wmo305(m)
}

fn with307(f: impl FnOnce(&mut bericht::Wmo307)) -> Bericht {
    let mut m = sample::stop(&Partijen::default(), "E50", bsn(1), 1001);
    f(&mut m);
    Bericht::Wmo307(m)
}

fn with315(f: impl FnOnce(&mut bericht::Wmo315)) -> Bericht {
    let mut m = sample::verzoek_toewijzing(&Partijen::default(), "V50", bsn(60), "REF-50");
    f(&mut m);
    Bericht::Wmo315(m)
}

fn with317(f: impl FnOnce(&mut bericht::Wmo317)) -> Bericht {
    let mut m = sample::verzoek_wijziging(&Partijen::default(), "W50", bsn(1), "VOW-50", 1001);
    f(&mut m);
    Bericht::Wmo317(m)
}

fn with319(f: impl FnOnce(&mut bericht::Wmo319)) -> Bericht {
    let mut m = sample::antwoord(&Partijen::default(), "A50", "REF-1");
    f(&mut m);
    Bericht::Wmo319(m)
}

fn with323(f: impl FnOnce(&mut bericht::Wmo323)) -> Bericht {
    let mut m = sample::declaratie(&Partijen::default(), "D50", "DN50", &[(bsn(1), 1001)]);
    let pr = &mut m.clienten[0].prestaties[0];
    pr.product_referentie.referentie_nummer = ReferentieNummer::new("DN50-0").unwrap();
    // April instead of March, so it does not collide with DN1.
    pr.product_periode = GeslotenPeriode {
        begindatum: d(2024, 4, 1),
        einddatum: d(2024, 4, 30),
    };
    m.declaratie.declaratie_periode = GeslotenPeriode {
        begindatum: d(2024, 4, 1),
        einddatum: d(2024, 4, 30),
    };
    m.header.bericht_identificatie.dagtekening = d(2024, 5, 3);
    m.declaratie.declaratie_dagtekening = d(2024, 5, 3);
    f(&mut m);
    // Keep TR358 satisfied unless a case breaks it on purpose afterwards.
    Bericht::Wmo323(m)
}

fn fix_total(b: &mut Bericht) {
    if let Bericht::Wmo323(m) = b {
        let t: i64 = m
            .clienten
            .iter()
            .flat_map(|c| &c.prestaties)
            .map(|p| p.ingediend_bedrag.signed())
            .sum();
        m.declaratie.totaal_ingediend_bedrag = TotaalBedragMetDc::from_signed(t).unwrap();
    }
}

fn p323(f: impl FnOnce(&mut Prestatie)) -> Bericht {
    let mut b = with323(|m| f(&mut m.clienten[0].prestaties[0]));
    fix_total(&mut b);
    b
}

const INS: Uitvoeringsvariant = Uitvoeringsvariant::Inspanningsgericht;

#[test]
fn valid_samples_pass_against_the_base_chain() {
    let ctx = base();
    let p = Partijen::default();
    for b in [
        Bericht::Wmo301(sample::toewijzing(&p, "T9", bsn(9), 9001)),
        Bericht::Wmo305(sample::start(&p, "S9", bsn(1), 1001)).clone(),
        Bericht::Wmo315(sample::verzoek_toewijzing(&p, "V9", bsn(9), "REF-9")),
        Bericht::Wmo319(sample::antwoord(&p, "A9", "REF-1")),
        with323(|_| {}),
    ] {
        // The start is already known (TR074) in the base chain: validate it against a chain with only the toewijzing.
        let ctx = if b.message_type() == bericht::MessageType::Wmo305 {
            let mut c = InMemoryContext::new();
            c.record(&Bericht::Wmo301(sample::toewijzing(&p, "T1", bsn(1), 1001)));
            c
        } else {
            ctx.clone()
        };
        let report = validate::validate(b.to_xml().as_bytes(), &ctx, INS);
        assert!(report.is_ok(), "{report}");
        let retour = validate::retour_for(&report, &RetourParams::default()).unwrap();
        assert!(
            retour.to_xml().contains("RetourCode>"),
            "retour carries codes"
        );
    }
    let mut ctx2 = base();
    ctx2.record(&Bericht::Wmo301(sample::toewijzing(&p, "T2", bsn(3), 3001)));
    let r = validate::validate(
        Bericht::Wmo317(sample::verzoek_wijziging(&p, "W1", bsn(3), "VOW-1", 3001))
            .to_xml()
            .as_bytes(),
        &ctx2,
        INS,
    );
    assert!(r.is_ok(), "{r}");
    let r = validate::validate(
        Bericht::Wmo307(sample::stop(&p, "E1", bsn(1), 1001))
            .to_xml()
            .as_bytes(),
        &ctx2,
        INS,
    );
    assert!(r.is_ok(), "{r}");
}

#[test]
fn reference_wmo317_breaks_tr380_as_documented() {
    // SOURCES.md: the official XSLT reports TR380 on this example.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/iwmo/voorbeeldberichten/WMO317.xml");
    let path = std::env::var("REGIE_IWMO_REFERENCE")
        .map(|r| std::path::PathBuf::from(r).join("voorbeeldberichten/WMO317.xml"))
        .unwrap_or(path);
    let xml = std::fs::read(path).unwrap();
    let report = validate::validate_with(
        &xml,
        &InMemoryContext::new(),
        &Options {
            variant: INS,
            alleen_bericht: true,
        },
    );
    assert_eq!(report.codes(), vec!["TR380"], "{report}");
}

#[test]
fn broken_corpus() {
    let ctx = base();
    let p = Partijen::default();
    let mut r = Runner {
        covered: BTreeSet::new(),
        cases: 0,
    };
    let naam = |s: &str| Naam::new(s).unwrap();

    // ---- Structure (XSD) ----
    let good = with301(|_| {}).to_xml();
    // An error inside the Header: reported, but no retour can be addressed.
    let bad = good.replace("BerichtCode>414<", "BerichtCode>415<");
    let report = validate::validate(bad.as_bytes(), &ctx, INS);
    assert_eq!(report.codes(), vec!["XSD"]);
    assert!(validate::retour_for(&report, &RetourParams::default()).is_err());
    for (name, bad) in [
        (
            "missing element",
            good.replace("<wmo301:Geslacht>2</wmo301:Geslacht>", ""),
        ),
        (
            "enumeration",
            good.replace("<wmo301:Geslacht>2<", "<wmo301:Geslacht>7<"),
        ),
        (
            "length",
            good.replace("Dorpsstraat", "Een straatnaam die te lang is voor het veld"),
        ),
        (
            "order",
            good.replace("<wmo301:Geslacht>2</wmo301:Geslacht>", "")
                .replace(
                    "</wmo301:Naam>",
                    "</wmo301:Naam><wmo301:Geslacht>2</wmo301:Geslacht>",
                ),
        ),
        (
            "namespace",
            good.replace(
                "<iwmo:Achternaam>Jansen</iwmo:Achternaam>",
                "<wmo301:Achternaam>Jansen</wmo301:Achternaam>",
            ),
        ),
        ("date", good.replace("2024-12-31", "2024-12-31Z")),
        (
            "malformed",
            good.replace("</wmo301:Client>", "</wmo301:Cliënt>"),
        ),
    ] {
        r.check_xml(name, &ctx, INS, bad.as_bytes(), "XSD");
    }

    // ---- WMO301 conditions/constraints and in-message TR ----
    r.check(
        "CS002",
        &ctx,
        INS,
        &with301(|m| m.client.bsn = BurgerServicenummer::new("123456789").unwrap()),
        "CS002",
    );
    r.check(
        "CS139",
        &ctx,
        INS,
        &with301(|m| m.client.geboortedatum.datum_gebruik = Some(DatumGebruik::Onbekend)),
        "CS139",
    );
    r.check(
        "CS318",
        &ctx,
        INS,
        &with301(|m| m.client.naam.naam_gebruik = NaamGebruik::NietNatuurlijkPersoon),
        "CS318",
    );
    r.check(
        "CS050",
        &ctx,
        INS,
        &with301(|m| m.client.naam.naam_gebruik = NaamGebruik::NaamPartner),
        "CS050",
    );
    r.check(
        "CD007",
        &ctx,
        INS,
        &with301(|m| {
            m.client.communicatie = Some(Communicatie {
                vorm: Communicatievorm::TolkTaal,
                taal: None,
            })
        }),
        "CD007",
    );
    r.check(
        "CD025",
        &ctx,
        INS,
        &with301(|m| m.client.contactgegevens[0].adres.as_mut().unwrap().huis = None),
        "CD025",
    );
    r.check(
        "CD034",
        &ctx,
        INS,
        &with301(|m| m.client.contactgegevens[0].adres.as_mut().unwrap().postcode = None),
        "CD034",
    );
    r.check(
        "CS089",
        &ctx,
        INS,
        &with301(|m| {
            m.client.contactgegevens[0].adres.as_mut().unwrap().postcode =
                Some(Postcode::new("12345").unwrap())
        }),
        "CS089",
    );
    r.check(
        "CD005",
        &ctx,
        INS,
        &with301(|m| {
            m.client.contactgegevens[0]
                .adres
                .as_mut()
                .unwrap()
                .land_code = None
        }),
        "CD005",
    );
    r.check(
        "CD009",
        &ctx,
        INS,
        &with301(|m| {
            m.client.contactgegevens[0].periode = Some(OpenPeriode {
                begindatum: Some(d(2024, 1, 1)),
                einddatum: None,
            })
        }),
        "CD009",
    );
    r.check(
        "CS003",
        &ctx,
        INS,
        &with301(|m| m.client.toegewezen_producten[0].einddatum = Some(d(2023, 12, 31))),
        "CS003",
    );
    r.check(
        "CD079",
        &ctx,
        INS,
        &with301(|m| m.client.toegewezen_producten[0].product = None),
        "CD079",
    );
    r.check(
        "CD075",
        &ctx,
        INS,
        &with301(|m| {
            let tp = &mut m.client.toegewezen_producten[0];
            tp.product = Some(Product {
                categorie: ProductCategorie::Begeleiding,
                code: None,
            });
            tp.omvang = None;
            tp.budget = Some(Budget::new(100_000).unwrap());
            tp.einddatum = None;
        }),
        "CD075",
    );
    r.check(
        "CD076",
        &ctx,
        INS,
        &with301(|m| m.client.toegewezen_producten[0].einddatum = None),
        "CD076",
    );
    r.check(
        "CS335",
        &ctx,
        INS,
        &with301(|m| {
            m.client.toegewezen_producten[0].reden_wijziging = Some(RedenWijziging::Verwijderd)
        }),
        "CS335",
    );
    r.check(
        "CS336",
        &ctx,
        INS,
        &with301(|m| {
            m.client.toegewezen_producten[0].reden_wijziging =
                Some(RedenWijziging::AdministratieveCorrectieVervallen)
        }),
        "CS336",
    );
    r.check(
        "CD041",
        &ctx,
        INS,
        &with301(|m| m.client.toegewezen_producten[0].omvang = None),
        "CD041",
    );
    r.check(
        "CD077",
        &ctx,
        INS,
        &with301(|m| m.client.toegewezen_producten[0].budget = Some(Budget::new(1000).unwrap())),
        "CD077",
    );
    r.check(
        "CD078",
        &ctx,
        INS,
        &with301(|m| m.client.toegewezen_producten[0].budget = Some(Budget::new(1000).unwrap())),
        "CD078",
    );
    r.check(
        "CD080",
        &ctx,
        INS,
        &with301(|m| {
            m.client.toegewezen_producten[0]
                .product
                .as_mut()
                .unwrap()
                .code = None
        }),
        "CD080",
    );
    r.check(
        "CS338",
        &ctx,
        INS,
        &with301(|m| {
            let o = m.client.toegewezen_producten[0].omvang.as_mut().unwrap();
            o.eenheid = Eenheid::Etmaal;
            o.frequentie = Frequentie::PerDag;
        }),
        "CS338",
    );
    r.check(
        "TR002",
        &ctx,
        INS,
        &with301(|m| m.client.geboortedatum.datum = d(1890, 1, 1)),
        "TR002",
    );
    r.check(
        "TR006",
        &ctx,
        INS,
        &with301(|m| {
            let mut c = sample::contact();
            c.soort = AdresSoort::Correspondentieadres;
            c.adres = None;
            m.client.contactgegevens = vec![c];
        }),
        "TR006",
    );
    r.check(
        "TR061",
        &ctx,
        INS,
        &with301(|m| {
            let mut c = sample::contact();
            c.soort = AdresSoort::TijdelijkVerblijfadres;
            m.client.contactgegevens = vec![c];
        }),
        "TR061",
    );
    r.check(
        "TR101",
        &ctx,
        INS,
        &with301(|m| {
            let tp = m.client.toegewezen_producten[0].clone();
            m.client.toegewezen_producten.push(tp);
        }),
        "TR101",
    );
    r.check(
        "TR134",
        &ctx,
        INS,
        &with301(|m| m.client.toegewezen_producten[0].toewijzingsdatum = d(2024, 2, 1)),
        "TR134",
    );
    r.check(
        "TR302",
        &ctx,
        INS,
        &with301(|m| {
            m.client
                .toegewezen_producten
                .push(sample::toegewezen_product(5002))
        }),
        "TR302",
    );
    r.check(
        "OP262",
        &ctx,
        INS,
        &with301(|m| {
            m.client.toegewezen_producten[0]
                .omvang
                .as_mut()
                .unwrap()
                .eenheid = Eenheid::Euros
        }),
        "OP262",
    );
    r.check(
        "OP263",
        &ctx,
        Uitvoeringsvariant::Outputgericht,
        &with301(|_| {}),
        "OP263",
    );
    r.check(
        "OP086",
        &ctx,
        Uitvoeringsvariant::Taakgericht,
        &with301(|_| {}),
        "OP086",
    );
    // ---- WMO301 across messages ----
    r.check(
        "TR056",
        &ctx,
        INS,
        &with301(|m| {
            m.header.bericht_identificatie.identificatie = IdentificatieBericht::new("T1").unwrap()
        }),
        "TR056",
    );
    r.check(
        "TR332",
        &ctx,
        INS,
        &with301(|m| {
            m.client.toegewezen_producten[0].toewijzing_nummer = Nummer::new(1001).unwrap()
        }),
        "TR332",
    );
    r.check(
        "OP087",
        &ctx,
        INS,
        &with301(|m| {
            m.client.bsn = bsn(1).into();
            m.client.toegewezen_producten[0].product = Some(Product {
                categorie: ProductCategorie::HulpBijHetHuishouden,
                code: Some(ProductCode::new("01A01").unwrap()),
            });
        }),
        "OP087",
    );
    r.check(
        "OP259",
        &ctx,
        INS,
        &with301(|m| m.client.bsn = bsn(1).into()),
        "OP259",
    );
    r.check(
        "TR379",
        &ctx,
        INS,
        &with301(|m| {
            m.client.toegewezen_producten[0].referentie_aanbieder =
                Some(Referentie::new("ONBEKEND").unwrap())
        }),
        "TR379",
    );
    r.check(
        "TR385",
        &ctx,
        INS,
        &Bericht::Wmo301({
            let mut m = sample::toewijzing(&p, "T51", bsn(1), 1001);
            let tp = &mut m.client.toegewezen_producten[0];
            tp.reden_wijziging = Some(RedenWijziging::Verwijderd);
            tp.einddatum = Some(tp.ingangsdatum);
            m
        }),
        "TR385",
    );

    // ---- WMO305 / WMO307 ----
    r.check(
        "CS058",
        &ctx,
        INS,
        &with305(|m| m.client.start_producten[0].status_aanlevering = StatusAanlevering::Gewijzigd),
        "CS058",
    );
    r.check(
        "TR019",
        &ctx,
        INS,
        &with305(|m| {
            m.client.start_producten[0].toewijzing_nummer = Some(Nummer::new(9999).unwrap())
        }),
        "TR019",
    );
    r.check(
        "IV096",
        &ctx,
        Uitvoeringsvariant::Taakgericht,
        &with305(|_| {}),
        "IV096",
    );
    r.check(
        "TR074",
        &ctx,
        INS,
        &Bericht::Wmo305(sample::start(&p, "S51", bsn(1), 1001)),
        "TR074",
    );
    r.check("TR326", &ctx, INS, &with305(|_| {}), "TR326");
    r.check(
        "TR063",
        &ctx,
        INS,
        &with305(|m| {
            m.client.start_producten[0].status_aanlevering = StatusAanlevering::Verwijderen
        }),
        "TR063",
    );
    let mut gestopt = base();
    gestopt.record(&Bericht::Wmo307(sample::stop(&p, "E1", bsn(1), 1001)));
    r.check(
        "TR071",
        &gestopt,
        INS,
        &Bericht::Wmo305({
            let mut m = sample::start(&p, "S52", bsn(1), 1001);
            m.client.start_producten[0].status_aanlevering = StatusAanlevering::Verwijderen;
            m
        }),
        "TR071",
    );
    r.check(
        "TR018",
        &ctx,
        INS,
        &with307(|m| m.client.stop_producten[0].einddatum = d(2024, 1, 1)),
        "TR018",
    );
    r.check(
        "TR382",
        &ctx,
        INS,
        &with307(|m| m.client.stop_producten[0].begindatum = d(2024, 1, 9)),
        "TR382",
    );
    r.check("TR415", &gestopt, INS, &with307(|_| {}), "TR415");
    let mut tijdelijk = base();
    tijdelijk.record(&with307(|m| {
        m.client.stop_producten[0].reden_beeindiging = RedenBeeindiging::TijdelijkBeeindigd
    }));
    r.check(
        "TR413",
        &tijdelijk,
        INS,
        &Bericht::Wmo307({
            let mut m = sample::stop(&p, "E51", bsn(1), 1001);
            m.client.stop_producten[0].reden_beeindiging = RedenBeeindiging::TijdelijkBeeindigd;
            m
        }),
        "TR413",
    );
    r.check(
        "TR414",
        &tijdelijk,
        INS,
        &Bericht::Wmo307({
            let mut m = sample::stop(&p, "E52", bsn(1), 1001);
            m.client.stop_producten[0].einddatum = d(2024, 3, 31);
            m
        }),
        "TR414",
    );

    // ---- WMO315 ----
    r.check(
        "CD095",
        &ctx,
        INS,
        &with315(|m| {
            m.client.aangevraagde_producten[0]
                .product
                .as_mut()
                .unwrap()
                .code = None
        }),
        "CD095",
    );
    r.check(
        "CS343",
        &ctx,
        INS,
        &with315(|m| {
            let o = m.client.aangevraagde_producten[0].omvang.as_mut().unwrap();
            o.eenheid = Eenheid::Dagdeel;
            o.frequentie = Frequentie::PerDag;
        }),
        "CS343",
    );
    r.check(
        "CD043",
        &ctx,
        INS,
        &with315(|m| {
            m.client.aangevraagde_producten[0].beschikking_nummer = Some(Nummer::new(77).unwrap())
        }),
        "CD043",
    );
    r.check(
        "CD066",
        &ctx,
        INS,
        &with315(|m| {
            m.client.aangevraagde_producten[0].verwijzer = Verwijzer {
                type_verwijzer: TypeVerwijzer::Huisarts,
                naam: Some(NaamVerwijzer::new("Dr. X").unwrap()),
                zorgverlener_code: Some(AgbCode::new("01234567").unwrap()),
            };
        }),
        "CD066",
    );
    r.check(
        "CD067",
        &ctx,
        INS,
        &with315(|m| {
            m.client.aangevraagde_producten[0].verwijzer.type_verwijzer = TypeVerwijzer::Huisarts
        }),
        "CD067",
    );
    r.check(
        "CD068",
        &ctx,
        INS,
        &with315(|m| {
            m.client.aangevraagde_producten[0]
                .verwijzer
                .zorgverlener_code = Some(AgbCode::new("01234567").unwrap())
        }),
        "CD068",
    );
    r.check(
        "TR383",
        &ctx,
        INS,
        &with315(|m| {
            let mut ap = m.client.aangevraagde_producten[0].clone();
            ap.product = Some(Product {
                categorie: ProductCategorie::Dagbesteding,
                code: Some(ProductCode::new("07A01").unwrap()),
            });
            m.client.aangevraagde_producten.push(ap);
        }),
        "TR383",
    );
    r.check(
        "TR386",
        &ctx,
        INS,
        &with315(|m| {
            let mut ap = m.client.aangevraagde_producten[0].clone();
            ap.referentie_aanbieder = Referentie::new("REF-51").unwrap();
            m.client.aangevraagde_producten.push(ap);
        }),
        "TR386",
    );
    r.check(
        "TR347",
        &ctx,
        INS,
        &with315(|m| {
            m.client.aangevraagde_producten[0].referentie_aanbieder =
                Referentie::new("REF-1").unwrap()
        }),
        "TR347",
    );
    r.check(
        "TR374",
        &ctx,
        INS,
        &with315(|m| m.client.bsn = bsn(2).into()),
        "TR374",
    );

    // ---- WMO317 ----
    r.check(
        "TR352",
        &ctx,
        INS,
        &with317(|m| {
            let v = &mut m.client.verzoek;
            v.te_wijzigen_producten.clear();
            v.nieuwe_producten.push(NieuwProduct {
                product: Some(sample::product()),
                gewenste_ingangsdatum: d(2024, 6, 1),
                einddatum: Some(d(2024, 12, 31)),
                omvang: sample::toegewezen_product(1).omvang,
                budget: None,
                retourcodes: vec![],
            });
        }),
        "TR352",
    );
    r.check(
        "TR353",
        &ctx,
        INS,
        &with317(|m| {
            let v = &mut m.client.verzoek;
            v.te_wijzigen_producten.clear();
            v.ongewijzigde_producten.push(OngewijzigdProduct {
                toewijzing_nummer: Nummer::new(1001).unwrap(),
                retourcodes: vec![],
            });
        }),
        "TR353",
    );
    let nieuw = |start: NaiveDate| NieuwProduct {
        product: Some(Product {
            categorie: ProductCategorie::Dagbesteding,
            code: Some(ProductCode::new("07A01").unwrap()),
        }),
        gewenste_ingangsdatum: start,
        einddatum: Some(d(2024, 12, 31)),
        omvang: Some(Omvang {
            volume: Volume::new(2).unwrap(),
            eenheid: Eenheid::Dagdeel,
            frequentie: Frequentie::PerWeek,
        }),
        budget: None,
        retourcodes: vec![],
    };
    r.check(
        "TR380",
        &ctx,
        INS,
        &with317(|m| m.client.verzoek.nieuwe_producten.push(nieuw(d(2024, 5, 1)))),
        "TR380",
    );
    r.check(
        "TR410",
        &ctx,
        INS,
        &with317(|m| {
            m.client.verzoek.nieuwe_producten.push(nieuw(d(2024, 6, 1)));
            m.client.verzoek.nieuwe_producten.push(nieuw(d(2024, 7, 1)));
        }),
        "TR410",
    );
    r.check(
        "CD096",
        &ctx,
        INS,
        &with317(|m| {
            let mut n = nieuw(d(2024, 6, 1));
            n.product.as_mut().unwrap().code = None;
            m.client.verzoek.nieuwe_producten.push(n);
        }),
        "CD096",
    );
    r.check(
        "TR304",
        &ctx,
        INS,
        &with317(|m| m.client.bsn = bsn(70).into()),
        "TR304",
    );
    r.check(
        "TR350",
        &ctx,
        INS,
        &with317(|m| {
            m.client
                .verzoek
                .ongewijzigde_producten
                .push(OngewijzigdProduct {
                    toewijzing_nummer: Nummer::new(4242).unwrap(),
                    retourcodes: vec![],
                })
        }),
        "TR350",
    );
    r.check(
        "TR351",
        &ctx,
        INS,
        &with317(|m| {
            m.client.verzoek.te_wijzigen_producten[0].toewijzing_nummer = Nummer::new(4242).unwrap()
        }),
        "TR351",
    );
    r.check(
        "TR357",
        &ctx,
        INS,
        &with317(|m| {
            m.client.verzoek.te_wijzigen_producten[0].gewenste_ingangsdatum = d(2024, 4, 1)
        }),
        "TR357",
    );
    r.check(
        "TR373",
        &ctx,
        INS,
        &with317(|m| {
            let t = &mut m.client.verzoek.te_wijzigen_producten[0];
            t.gewenste_ingangsdatum = d(2024, 6, 1);
            t.omvang = Some(Omvang {
                volume: Volume::new(80).unwrap(),
                eenheid: Eenheid::Uur,
                frequentie: Frequentie::TotaalBinnenGeldigheidsduur,
            });
        }),
        "TR373",
    );
    r.check(
        "TR411",
        &ctx,
        INS,
        &with317(|m| m.client.verzoek.te_wijzigen_producten[0].omvang = None),
        "TR411",
    );
    let mut generiek = base();
    generiek.record(&Bericht::Wmo301({
        let mut m = sample::toewijzing(&p, "T3", bsn(3), 3001);
        let tp = &mut m.client.toegewezen_producten[0];
        tp.product = None;
        tp.omvang = None;
        tp.budget = Some(Budget::new(500_000).unwrap());
        m
    }));
    generiek.record(&Bericht::Wmo301({
        let mut m = sample::toewijzing(&p, "T4", bsn(4), 4001);
        m.client.toegewezen_producten[0]
            .product
            .as_mut()
            .unwrap()
            .code = None;
        m.client.toegewezen_producten[0].omvang = None;
        m
    }));
    r.check(
        "TR375",
        &generiek,
        INS,
        &Bericht::Wmo317(sample::verzoek_wijziging(&p, "W51", bsn(3), "VOW-51", 3001)),
        "TR375",
    );
    r.check(
        "TR412",
        &generiek,
        INS,
        &Bericht::Wmo317(sample::verzoek_wijziging(&p, "W52", bsn(4), "VOW-52", 4001)),
        "TR412",
    );
    let mut twee = base();
    twee.record(&Bericht::Wmo301({
        let mut m = sample::toewijzing(&p, "T5", bsn(5), 5101);
        m.client.toegewezen_producten[0].einddatum = Some(d(2024, 6, 30));
        let mut tp = sample::toegewezen_product(5102);
        tp.ingangsdatum = d(2024, 7, 1);
        m.client.toegewezen_producten.push(tp);
        m
    }));
    r.check(
        "TR349",
        &twee,
        INS,
        &Bericht::Wmo317(sample::verzoek_wijziging(&p, "W53", bsn(5), "VOW-53", 5102)),
        "TR349",
    );
    r.check(
        "TR361",
        &twee,
        INS,
        &Bericht::Wmo317({
            let mut m = sample::verzoek_wijziging(&p, "W54", bsn(5), "VOW-54", 5101);
            let v = &mut m.client.verzoek;
            v.te_wijzigen_producten[0].gewenste_ingangsdatum = d(2024, 6, 1);
            let mut b2 = v.te_wijzigen_producten[0].clone();
            b2.toewijzing_nummer = Nummer::new(5102).unwrap();
            b2.gewenste_ingangsdatum = d(2024, 7, 1);
            v.te_wijzigen_producten.push(b2);
            m
        }),
        "TR361",
    );

    // ---- WMO319 ----
    r.check(
        "CD085",
        &ctx,
        INS,
        &with319(|m| m.antwoord.verzoek_antwoord = VerzoekAntwoord::Afgewezen),
        "CD085",
    );
    r.check(
        "CD086",
        &ctx,
        INS,
        &with319(|m| {
            m.antwoord.reden_afwijzing_verzoek = Some(RedenAfwijzingVerzoek::GeenContract)
        }),
        "CD086",
    );
    r.check(
        "TR355",
        &ctx,
        INS,
        &with319(|m| m.antwoord.referentie_aanbieder = Referentie::new("NIEMAND").unwrap()),
        "TR355",
    );
    let mut beantwoord = base();
    beantwoord.record(&with319(|_| {}));
    r.check(
        "TR360",
        &beantwoord,
        INS,
        &Bericht::Wmo319(sample::antwoord(&p, "A51", "REF-1")),
        "TR360",
    );
    let mut afgewezen = base();
    afgewezen.record(&with319(|m| {
        m.antwoord.verzoek_antwoord = VerzoekAntwoord::Afgewezen;
        m.antwoord.reden_afwijzing_verzoek = Some(RedenAfwijzingVerzoek::GeenContract);
    }));
    r.check(
        "TR365",
        &afgewezen,
        INS,
        &Bericht::Wmo319(sample::antwoord(&p, "A52", "REF-1")),
        "TR365",
    );
    let mut gehonoreerd = base();
    gehonoreerd.record(&Bericht::Wmo301({
        let mut m = sample::toewijzing(&p, "T6", bsn(2), 6001);
        m.client.toegewezen_producten[0].referentie_aanbieder =
            Some(Referentie::new("REF-1").unwrap());
        m
    }));
    r.check(
        "TR359",
        &gehonoreerd,
        INS,
        &Bericht::Wmo319(sample::antwoord(&p, "A53", "REF-1")),
        "TR359",
    );

    // ---- WMO323 ----
    r.check(
        "CS100",
        &ctx,
        INS,
        &p323(|pr| {
            pr.product_periode = GeslotenPeriode {
                begindatum: d(2020, 12, 1),
                einddatum: d(2020, 12, 31),
            }
        }),
        "CS100",
    );
    r.check(
        "CS340",
        &ctx,
        INS,
        &with323(|m| m.declaratie.declaratie_periode.einddatum = d(2024, 4, 29)),
        "CS340",
    );
    r.check(
        "CS325",
        &ctx,
        INS,
        &{
            let mut b = with323(|m| {
                let pr = &mut m.clienten[0].prestaties[0];
                pr.ingediend_bedrag = BedragMetDc {
                    bedrag: Bedrag::new(0).unwrap(),
                    debet_credit: DebetCredit::Credit,
                };
            });
            fix_total(&mut b);
            b
        },
        "CS325",
    );
    r.check(
        "CD060",
        &ctx,
        INS,
        &p323(|pr| {
            pr.product_referentie.vorig_referentie_nummer =
                Some(ReferentieNummer::new("DN1-0").unwrap())
        }),
        "CD060",
    );
    r.check(
        "CS337",
        &ctx,
        INS,
        &p323(|pr| pr.product_periode.einddatum = d(2024, 5, 2)),
        "CS337",
    );
    r.check(
        "CD087",
        &ctx,
        INS,
        &p323(|pr| pr.product_tarief = None),
        "CD087",
    );
    r.check(
        "CS339",
        &ctx,
        Uitvoeringsvariant::Outputgericht,
        &p323(|pr| {
            pr.eenheid = Eenheid::Euros;
            pr.product_tarief = None;
        }),
        "CS339",
    );
    r.check(
        "TR137",
        &ctx,
        INS,
        &p323(|pr| pr.product_periode.einddatum = d(2024, 5, 31)),
        "TR137",
    );
    r.check(
        "TR335",
        &ctx,
        INS,
        &p323(|pr| {
            pr.product_periode = GeslotenPeriode {
                begindatum: d(2019, 1, 1),
                einddatum: d(2019, 1, 31),
            }
        }),
        "TR335",
    );
    r.check(
        "TR319",
        &ctx,
        INS,
        &{
            let mut b = with323(|m| {
                m.clienten[0].prestaties[0].product_periode = GeslotenPeriode {
                    begindatum: d(2024, 5, 1),
                    einddatum: d(2024, 5, 2),
                }
            });
            if let Bericht::Wmo323(m) = &mut b {
                m.header.bericht_identificatie.dagtekening = d(2024, 5, 20);
            }
            fix_total(&mut b);
            b
        },
        "TR319",
    );
    r.check(
        "TR346",
        &ctx,
        INS,
        &p323(|pr| pr.ingediend_bedrag.bedrag = Bedrag::new(95_000).unwrap()),
        "TR346",
    );
    r.check(
        "TR358",
        &ctx,
        INS,
        &with323(|m| {
            m.declaratie.totaal_ingediend_bedrag.totaal_bedrag = TotaalBedrag::new(1).unwrap()
        }),
        "TR358",
    );
    let dubbel = |f: fn(&mut Prestatie)| {
        let mut b = with323(|m| {
            let mut second = m.clienten[0].prestaties[0].clone();
            second.product_referentie.referentie_nummer = ReferentieNummer::new("DN50-1").unwrap();
            f(&mut second);
            m.clienten[0].prestaties.push(second);
        });
        fix_total(&mut b);
        b
    };
    r.check("TR416", &ctx, INS, &dubbel(|_| {}), "TR416");
    r.check(
        "TR316",
        &ctx,
        INS,
        &dubbel(|s| {
            s.ingediend_bedrag.debet_credit = DebetCredit::Credit;
            s.product_referentie.vorig_referentie_nummer =
                Some(ReferentieNummer::new("DN50-0").unwrap());
        }),
        "TR316",
    );
    r.check(
        "TR315",
        &ctx,
        INS,
        &{
            let mut b = with323(|m| {
                let mut c1 = m.clienten[0].prestaties[0].clone();
                c1.product_referentie = ProductReferentie {
                    referentie_nummer: ReferentieNummer::new("DN50-1").unwrap(),
                    vorig_referentie_nummer: Some(ReferentieNummer::new("DN1-0").unwrap()),
                };
                c1.ingediend_bedrag.debet_credit = DebetCredit::Credit;
                let mut c2 = c1.clone();
                c2.product_referentie.referentie_nummer = ReferentieNummer::new("DN50-2").unwrap();
                m.clienten[0].prestaties.extend([c1, c2]);
            });
            fix_total(&mut b);
            b
        },
        "TR315",
    );
    r.check(
        "TR314",
        &ctx,
        INS,
        &p323(|pr| {
            pr.product_referentie.referentie_nummer = ReferentieNummer::new("DN1-0").unwrap()
        }),
        "TR314",
    );
    r.check(
        "TR323",
        &ctx,
        INS,
        &p323(|pr| {
            pr.ingediend_bedrag.debet_credit = DebetCredit::Credit;
            pr.product_referentie.vorig_referentie_nummer =
                Some(ReferentieNummer::new("ONBEKEND").unwrap());
        }),
        "TR323",
    );
    let mut gecrediteerd = base();
    gecrediteerd.record(&{
        let mut b = with323(|m| {
            let pr = &mut m.clienten[0].prestaties[0];
            pr.product_referentie = ProductReferentie {
                referentie_nummer: ReferentieNummer::new("CR1").unwrap(),
                vorig_referentie_nummer: Some(ReferentieNummer::new("DN1-0").unwrap()),
            };
            pr.ingediend_bedrag.debet_credit = DebetCredit::Credit;
            pr.product_periode = GeslotenPeriode {
                begindatum: d(2024, 3, 1),
                einddatum: d(2024, 3, 31),
            };
        });
        if let Bericht::Wmo323(m) = &mut b {
            m.declaratie.declaratie_nummer = DeclaratieNummer::new("DN49").unwrap();
            m.header.bericht_identificatie.identificatie =
                IdentificatieBericht::new("D49").unwrap();
        }
        b
    });
    r.check(
        "TR390",
        &gecrediteerd,
        INS,
        &p323(|pr| {
            pr.ingediend_bedrag.debet_credit = DebetCredit::Credit;
            pr.product_referentie.vorig_referentie_nummer =
                Some(ReferentieNummer::new("DN1-0").unwrap());
            pr.product_periode = GeslotenPeriode {
                begindatum: d(2024, 3, 1),
                einddatum: d(2024, 3, 31),
            };
        }),
        "TR390",
    );
    r.check(
        "TR389",
        &ctx,
        INS,
        &p323(|pr| {
            pr.product_periode = GeslotenPeriode {
                begindatum: d(2024, 3, 1),
                einddatum: d(2024, 3, 31),
            }
        }),
        "TR389",
    );
    r.check(
        "TR338",
        &ctx,
        INS,
        &p323(|pr| pr.toewijzing_nummer = Nummer::new(4242).unwrap()),
        "TR338",
    );
    r.check(
        "TR304-323",
        &ctx,
        INS,
        &with323(|m| m.clienten[0].bsn = bsn(80).into()),
        "TR304",
    );
    r.check(
        "TR339",
        &ctx,
        INS,
        &p323(|pr| pr.product_categorie = ProductCategorie::Dagbesteding),
        "TR339",
    );
    r.check(
        "TR340",
        &ctx,
        INS,
        &p323(|pr| pr.product_code = ProductCode::new("02A02").unwrap()),
        "TR340",
    );
    r.check(
        "TR341",
        &ctx,
        INS,
        &p323(|pr| {
            pr.eenheid = Eenheid::Dagdeel;
        }),
        "TR341",
    );
    let mut laat = InMemoryContext::new();
    laat.record(&Bericht::Wmo301({
        let mut m = sample::toewijzing(&p, "T7", bsn(1), 1001);
        m.client.toegewezen_producten[0].ingangsdatum = d(2024, 4, 10);
        m.client.toegewezen_producten[0].einddatum = Some(d(2024, 4, 20));
        m
    }));
    r.check("TR307", &laat, INS, &with323(|_| {}), "TR307");
    r.check(
        "TR308",
        &laat,
        INS,
        &p323(|pr| pr.product_periode.begindatum = d(2024, 4, 10)),
        "TR308",
    );
    r.check(
        "TR387",
        &ctx,
        INS,
        &p323(|pr| pr.product_periode.begindatum = d(2024, 4, 2)),
        "TR387",
    );
    r.check(
        "TR388",
        &ctx,
        INS,
        &p323(|pr| pr.product_periode.einddatum = d(2024, 4, 29)),
        "TR388",
    );
    r.check(
        "TR321",
        &ctx,
        INS,
        &p323(|pr| {
            pr.geleverd_volume = Volume::new(40).unwrap();
            pr.ingediend_bedrag.bedrag = Bedrag::new(240_000).unwrap();
        }),
        "TR321",
    );
    let mut totaal = InMemoryContext::new();
    totaal.record(&Bericht::Wmo301({
        let mut m = sample::toewijzing(&p, "T8", bsn(1), 1001);
        m.client.toegewezen_producten[0].omvang = Some(Omvang {
            volume: Volume::new(20).unwrap(),
            eenheid: Eenheid::Uur,
            frequentie: Frequentie::TotaalBinnenGeldigheidsduur,
        });
        m
    }));
    totaal.record(&Bericht::Wmo323(sample::declaratie(
        &p,
        "D1",
        "DN1",
        &[(bsn(1), 1001)],
    )));
    r.check("TR322", &totaal, INS, &with323(|_| {}), "TR322");
    let mut budget = InMemoryContext::new();
    budget.record(&Bericht::Wmo301({
        let mut m = sample::toewijzing(&p, "T9", bsn(1), 1001);
        let tp = &mut m.client.toegewezen_producten[0];
        tp.product.as_mut().unwrap().code = None;
        tp.omvang = None;
        tp.budget = Some(Budget::new(50_000).unwrap());
        m
    }));
    r.check(
        "TR369",
        &budget,
        Uitvoeringsvariant::Outputgericht,
        &p323(|pr| {
            pr.eenheid = Eenheid::Euros;
            pr.product_tarief = None;
            pr.geleverd_volume = Volume::new(96_000).unwrap();
        }),
        "TR369",
    );
    let mut verwijderd = InMemoryContext::new();
    verwijderd.record(&Bericht::Wmo301({
        let mut m = sample::toewijzing(&p, "T10", bsn(1), 1001);
        let tp = &mut m.client.toegewezen_producten[0];
        tp.reden_wijziging = Some(RedenWijziging::Verwijderd);
        tp.einddatum = Some(tp.ingangsdatum);
        m
    }));
    r.check("TR384", &verwijderd, INS, &with323(|_| {}), "TR384");
    r.check(
        "TR418",
        &ctx,
        INS,
        &p323(|pr| {
            pr.product_tarief = Some(Bedrag::new(5000).unwrap());
            pr.ingediend_bedrag.bedrag = Bedrag::new(80_000).unwrap();
        }),
        "TR418",
    );
    r.check(
        "TR333",
        &ctx,
        INS,
        &with323(|m| m.declaratie.declaratie_nummer = DeclaratieNummer::new("DN1").unwrap()),
        "TR333",
    );
    r.check(
        "UP025",
        &ctx,
        Uitvoeringsvariant::Taakgericht,
        &with323(|_| {}),
        "UP025",
    );
    let _ = naam;

    let n = r.covered.len();
    assert!(
        n >= 40,
        "only {n} distinct rule codes covered: {:?}",
        r.covered
    );
    println!(
        "{} cases, {} distinct rule codes: {:?}",
        r.cases, n, r.covered
    );
}

#[test]
fn report_renders_human_and_json() {
    let b = with301(|m| m.client.bsn = BurgerServicenummer::new("123456789").unwrap());
    let report = validate::validate(b.to_xml().as_bytes(), &InMemoryContext::new(), INS);
    let text = report.to_string();
    assert!(text.contains("CS002") && text.contains("0001"), "{text}");
    let json = report.to_json();
    assert_eq!(json["ok"], false);
    assert_eq!(json["issues"][0]["code"], "CS002");
    assert_eq!(json["issues"][0]["retourcode"], "0001");
    assert_eq!(json["issues"][0]["klasse"], "Client");
}

#[test]
fn header_only_retour_for_a_structural_error() {
    let good = with301(|_| {}).to_xml();
    let bad = good.replace("<wmo301:Geslacht>2</wmo301:Geslacht>", "");
    let report = validate::validate(bad.as_bytes(), &InMemoryContext::new(), INS);
    let retour = validate::retour_for(&report, &RetourParams::default()).unwrap();
    let Bericht::Wmo302(r) = retour else {
        panic!("expected WMO302")
    };
    assert_eq!(r.header.retourcodes, vec![RetourCode::TECHNISCH]);
    assert!(r.client.is_none());
    // No header at all: no retour can be addressed.
    let report = validate::validate(b"<x/>", &InMemoryContext::new(), INS);
    assert!(validate::retour_for(&report, &RetourParams::default()).is_err());
}

#[test]
fn declaratie_antwoord_lists_only_rejected_prestaties() {
    let ctx = base();
    let p = Partijen::default();
    let mut m = sample::declaratie(&p, "D60", "DN60", &[(bsn(1), 1001), (bsn(1), 4242)]);
    // Second client entry reuses the Bsn; make it a different client with an unknown toewijzing.
    m.clienten[1].bsn = bsn(61).into();
    for (i, c) in m.clienten.iter_mut().enumerate() {
        c.prestaties[0].product_referentie.referentie_nummer =
            ReferentieNummer::new(format!("DN60-{i}")).unwrap();
        c.prestaties[0].product_periode = GeslotenPeriode {
            begindatum: d(2024, 4, 1),
            einddatum: d(2024, 4, 30),
        };
    }
    m.declaratie.declaratie_periode = GeslotenPeriode {
        begindatum: d(2024, 4, 1),
        einddatum: d(2024, 4, 30),
    };
    m.header.bericht_identificatie.dagtekening = d(2024, 5, 3);
    let report = validate::validate(m.to_xml().as_bytes(), &ctx, INS);
    assert_eq!(report.codes(), vec!["TR338"], "{report}");
    let Bericht::Wmo325(a) = validate::retour_for(&report, &RetourParams::default()).unwrap()
    else {
        panic!()
    };
    let da = a.declaratie_antwoord.unwrap();
    assert_eq!(da.clienten.len(), 1);
    assert_eq!(da.clienten[0].bsn, bsn(61).into());
    assert_eq!(
        da.clienten[0].prestaties[0].retourcodes,
        vec![RetourCode::from_code("9338").unwrap()]
    );
    assert_eq!(da.totaal_toegekend_bedrag.signed(), 96_000);
    assert_eq!(da.retourcodes, vec![RetourCode::GOED]);
}

/// Minutes declared on an hour toewijzing are compared exactly: twenty times
/// three minutes fill one assigned hour (no TR322), a 21st goes over it. With
/// floating point, 20 × (3/60) sums to 1.0000000000000002 and the full hour
/// was refused.
#[test]
fn minutes_on_an_hour_toewijzing_are_counted_exactly() {
    let p = Partijen::default();
    let mut ctx = InMemoryContext::new();
    ctx.record(&Bericht::Wmo301({
        let mut m = sample::toewijzing(&p, "T8", bsn(1), 1001);
        m.client.toegewezen_producten[0].omvang = Some(Omvang {
            volume: Volume::new(1).unwrap(),
            eenheid: Eenheid::Uur,
            frequentie: Frequentie::TotaalBinnenGeldigheidsduur,
        });
        m
    }));
    let codes = |n: usize| {
        let mut b = with323(|m| {
            let first = m.clienten[0].prestaties[0].clone();
            m.clienten[0].prestaties = (0..n)
                .map(|i| {
                    let mut pr = first.clone();
                    pr.product_referentie.referentie_nummer =
                        ReferentieNummer::new(format!("DN50-{i}")).unwrap();
                    pr.eenheid = Eenheid::Minuut;
                    pr.geleverd_volume = Volume::new(3).unwrap();
                    pr
                })
                .collect();
        });
        fix_total(&mut b);
        validate::validate_bericht(&b, &ctx, &validate::Options::default()).codes()
    };
    let full = codes(20);
    assert!(
        !full.contains(&"TR322") && !full.contains(&"TR321"),
        "60 minutes fit one hour: {full:?}"
    );
    let over = codes(21);
    assert!(
        over.contains(&"TR322"),
        "63 minutes exceed one hour: {over:?}"
    );
}

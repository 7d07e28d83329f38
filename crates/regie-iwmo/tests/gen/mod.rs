//! proptest strategies producing valid messages of all fourteen types.
#![allow(dead_code)]

use chrono::{NaiveDate, NaiveTime};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use regie_iwmo::bericht::*;
use regie_iwmo::model::*;
use regie_iwmo::sample::{self, Partijen};
use regie_iwmo::types::*;
use regie_iwmo::validate::{self, InMemoryContext, Options, RetourParams, Uitvoeringsvariant};

fn date() -> impl Strategy<Value = NaiveDate> {
    (2000i32..2030, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

/// Free text for an `.*[^\s].*` type: printable, including XML specials and non-ASCII.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9&<>'\"é ]{{0,{}}}[A-Za-z&<é]", max - 1))
        .unwrap()
}

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    proptest::option::of(s)
}

fn naam() -> impl Strategy<Value = Naam> {
    text(40).prop_map(|s| Naam::new(s).unwrap())
}

fn achternaam() -> impl Strategy<Value = Achternaam> {
    (
        naam(),
        opt(text(10).prop_map(|s| Voorvoegsel::new(s).unwrap())),
    )
        .prop_map(|(achternaam, voorvoegsel)| Achternaam {
            achternaam,
            voorvoegsel,
        })
}

fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(all)
}

fn volledige_naam() -> impl Strategy<Value = VolledigeNaam> {
    (
        achternaam(),
        opt(achternaam()),
        opt(naam()),
        opt("[A-Z]{1,6}".prop_map(|s| Voorletters::new(s).unwrap())),
        pick(NaamGebruik::ALL),
    )
        .prop_map(
            |(geslachtsnaam, partnernaam, voornamen, voorletters, naam_gebruik)| VolledigeNaam {
                geslachtsnaam,
                partnernaam,
                voornamen,
                voorletters,
                naam_gebruik,
            },
        )
}

fn verkorte_naam() -> impl Strategy<Value = VerkorteNaam> {
    (
        achternaam(),
        opt(naam()),
        opt("[A-Z]{1,6}".prop_map(|s| Voorletters::new(s).unwrap())),
    )
        .prop_map(|(geslachtsnaam, voornamen, voorletters)| VerkorteNaam {
            geslachtsnaam,
            voornamen,
            voorletters,
        })
}

fn geboortedatum() -> impl Strategy<Value = Geboortedatum> {
    (date(), opt(pick(DatumGebruik::ALL))).prop_map(|(datum, datum_gebruik)| Geboortedatum {
        datum,
        datum_gebruik,
    })
}

fn bsn() -> impl Strategy<Value = BurgerServicenummer> {
    (0u32..5_000_000).prop_map(|n| sample::bsn(n).into())
}

fn product() -> impl Strategy<Value = Product> {
    (
        pick(ProductCategorie::ALL),
        opt("[0-9A-Z]{1,5}".prop_map(|s| ProductCode::new(s).unwrap())),
    )
        .prop_map(|(categorie, code)| Product { categorie, code })
}

fn omvang() -> impl Strategy<Value = Omvang> {
    (0u32..=99_999_999, pick(Eenheid::ALL), pick(Frequentie::ALL)).prop_map(
        |(v, eenheid, frequentie)| Omvang {
            volume: Volume::new(v).unwrap(),
            eenheid,
            frequentie,
        },
    )
}

fn nummer() -> impl Strategy<Value = Nummer> {
    (0u32..=999_999_999).prop_map(|n| Nummer::new(n).unwrap())
}

fn referentie() -> impl Strategy<Value = Referentie> {
    "[A-Za-z0-9-]{1,36}".prop_map(|s| Referentie::new(s).unwrap())
}

fn commentaar() -> impl Strategy<Value = Commentaar> {
    proptest::string::string_regex("[a-z &<\n]{0,20}[a-z]")
        .unwrap()
        .prop_map(|s| Commentaar::new(s).unwrap())
}

fn ident() -> impl Strategy<Value = BerichtIdentificatie> {
    ("[A-Za-z0-9]{1,12}", date()).prop_map(|(i, d)| BerichtIdentificatie {
        identificatie: IdentificatieBericht::new(i).unwrap(),
        dagtekening: d,
    })
}

fn xsd_versie() -> impl Strategy<Value = XsdVersie> {
    (
        "(0|[1-9][0-9]{0,2})\\.(0|[1-9])\\.(0|[1-9])",
        "(0|[1-9])\\.(0|[1-9])\\.(0|[1-9])",
    )
        .prop_map(|(a, b)| XsdVersie {
            basisschema_xsd_versie: Versie::new(a).unwrap(),
            bericht_xsd_versie: Versie::new(b).unwrap(),
        })
}

fn gemeente() -> impl Strategy<Value = Gemeente> {
    "[0-9]{4}".prop_map(|s| Gemeente::new(s).unwrap())
}

fn agb() -> impl Strategy<Value = AgbCode> {
    "[0-9]{8}".prop_map(|s| AgbCode::new(s).unwrap())
}

fn header_g() -> impl Strategy<Value = Header<Gemeente, AgbCode>> {
    (gemeente(), agb(), ident(), xsd_versie()).prop_map(
        |(afzender, ontvanger, bericht_identificatie, xsd_versie)| Header {
            afzender,
            ontvanger,
            bericht_identificatie,
            xsd_versie,
        },
    )
}

fn header_a() -> impl Strategy<Value = Header<AgbCode, Gemeente>> {
    (agb(), gemeente(), ident(), xsd_versie()).prop_map(
        |(afzender, ontvanger, bericht_identificatie, xsd_versie)| Header {
            afzender,
            ontvanger,
            bericht_identificatie,
            xsd_versie,
        },
    )
}

fn adres() -> impl Strategy<Value = Adres> {
    (
        opt((
            0u32..=99_999,
            opt("[A-Z]".prop_map(|s| Huisletter::new(s).unwrap())),
            opt("[a-z0-9]{1,4}".prop_map(|s| HuisnummerToevoeging::new(s).unwrap())),
            opt(pick(AanduidingWoonadres::ALL)),
        )
            .prop_map(
                |(n, huisletter, huisnummer_toevoeging, aanduiding_woonadres)| Huis {
                    huisnummer: Huisnummer::new(n).unwrap(),
                    huisletter,
                    huisnummer_toevoeging,
                    aanduiding_woonadres,
                },
            )),
        opt("[1-9][0-9]{3}[A-Z]{2}".prop_map(|s| Postcode::new(s).unwrap())),
        opt(text(24).prop_map(|s| Straatnaam::new(s).unwrap())),
        opt(text(40).prop_map(|s| Plaatsnaam::new(s).unwrap())),
        opt(proptest::sample::select(vec!["NL", "BE", "DE"])
            .prop_map(|s| LandCode::from_code(s).unwrap())),
    )
        .prop_map(
            |(huis, postcode, straatnaam, plaatsnaam, land_code)| Adres {
                huis,
                postcode,
                straatnaam,
                plaatsnaam,
                land_code,
            },
        )
}

fn telefoon() -> impl Strategy<Value = Telefoon> {
    ("[0-9]{1,15}", "\\+?[0-9]{1,3}").prop_map(|(n, l)| Telefoon {
        telefoonnummer: Telefoonnummer::new(n).unwrap(),
        landnummer: Landnummer::new(l).unwrap(),
    })
}

fn contact() -> impl Strategy<Value = Contact> {
    (
        pick(AdresSoort::ALL),
        opt(adres()),
        opt(text(35).prop_map(|s| Organisatienaam::new(s).unwrap())),
        opt(
            (telefoon(), opt(telefoon())).prop_map(|(telefoon01, telefoon02)| Telefoonnummers {
                telefoon01,
                telefoon02,
            }),
        ),
        opt("[a-z]{1,10}@[a-z]{1,10}\\.nl".prop_map(|s| Emailadres::new(s).unwrap())),
        opt(
            (opt(date()), opt(date())).prop_map(|(begindatum, einddatum)| OpenPeriode {
                begindatum,
                einddatum,
            }),
        ),
    )
        .prop_map(
            |(soort, adres, organisatie, telefoon, emailadres, periode)| Contact {
                soort,
                adres,
                organisatie,
                telefoon,
                emailadres,
                periode,
                retourcodes: vec![],
            },
        )
}

fn relatie() -> impl Strategy<Value = Relatie> {
    (
        "[A-Za-z0-9]{1,20}",
        opt(0u8..=99),
        pick(SoortRelatie::ALL),
        opt(geboortedatum()),
        opt(pick(Geslacht::ALL)),
        volledige_naam(),
        contact(),
    )
        .prop_map(
            |(n, volgorde, soort, geboortedatum, geslacht, naam, contact)| Relatie {
                nummer: Persoonsid::new(n).unwrap(),
                volgorde: volgorde.map(|v| RelatieVolgorde::new(v).unwrap()),
                soort,
                geboortedatum,
                geslacht,
                naam,
                contact,
                retourcodes: vec![],
            },
        )
}

fn toegewezen_product() -> impl Strategy<Value = ToegewezenProduct> {
    (
        (
            nummer(),
            opt(referentie()),
            opt(product()),
            date(),
            (0u32..24, 0u32..60, 0u32..60, 0u32..1000),
            date(),
            opt(date()),
        ),
        (
            opt(pick(RedenWijziging::ALL)),
            opt(omvang()),
            opt((0u32..=99_999_999).prop_map(|b| Budget::new(b).unwrap())),
            opt(commentaar()),
        ),
    )
        .prop_map(
            |(
                (
                    toewijzing_nummer,
                    referentie_aanbieder,
                    product,
                    toewijzingsdatum,
                    (h, m, s, ms),
                    ingangsdatum,
                    einddatum,
                ),
                (reden_wijziging, omvang, budget, commentaar),
            )| ToegewezenProduct {
                toewijzing_nummer,
                referentie_aanbieder,
                product,
                toewijzingsdatum,
                toewijzingstijd: NaiveTime::from_hms_milli_opt(h, m, s, ms).unwrap(),
                ingangsdatum,
                einddatum,
                reden_wijziging,
                omvang,
                budget,
                commentaar,
                retourcodes: vec![],
            },
        )
}

fn budget() -> impl Strategy<Value = Option<Budget>> {
    opt((0u32..=99_999_999).prop_map(|b| Budget::new(b).unwrap()))
}

pub fn wmo301() -> impl Strategy<Value = Wmo301> {
    (
        header_g(),
        (
            bsn(),
            geboortedatum(),
            pick(Geslacht::ALL),
            volledige_naam(),
        ),
        (
            opt((
                pick(Communicatievorm::ALL),
                opt(text(25).prop_map(|s| Taal::new(s).unwrap())),
            )
                .prop_map(|(vorm, taal)| Communicatie { vorm, taal })),
            opt(pick(JuridischeStatus::ALL)),
            opt(pick(WettelijkeVertegenwoordiging::ALL)),
            opt(commentaar()),
        ),
        proptest::collection::vec(relatie(), 0..3),
        proptest::collection::vec(contact(), 1..3),
        proptest::collection::vec(toegewezen_product(), 1..4),
    )
        .prop_map(
            |(
                header,
                (bsn, geboortedatum, geslacht, naam),
                (communicatie, juridische_status, wettelijke_vertegenwoordiging, commentaar),
                relaties,
                contactgegevens,
                toegewezen_producten,
            )| Wmo301 {
                header,
                client: Client301 {
                    bsn,
                    geboortedatum,
                    geslacht,
                    naam,
                    communicatie,
                    juridische_status,
                    wettelijke_vertegenwoordiging,
                    commentaar,
                    relaties,
                    contactgegevens,
                    toegewezen_producten,
                    retourcodes: vec![],
                },
            },
        )
}

pub fn wmo305() -> impl Strategy<Value = Wmo305> {
    (
        header_a(),
        bsn(),
        geboortedatum(),
        pick(Geslacht::ALL),
        verkorte_naam(),
        proptest::collection::vec(
            (
                opt(nummer()),
                opt(product()),
                opt(date()),
                date(),
                pick(StatusAanlevering::ALL),
            ),
            1..4,
        ),
    )
        .prop_map(|(header, bsn, geboortedatum, geslacht, naam, sp)| Wmo305 {
            header,
            client: Client305 {
                bsn,
                geboortedatum,
                geslacht,
                naam,
                start_producten: sp
                    .into_iter()
                    .map(
                        |(
                            toewijzing_nummer,
                            product,
                            toewijzing_ingangsdatum,
                            begindatum,
                            status_aanlevering,
                        )| StartProduct {
                            toewijzing_nummer,
                            product,
                            toewijzing_ingangsdatum,
                            begindatum,
                            status_aanlevering,
                            retourcodes: vec![],
                        },
                    )
                    .collect(),
                retourcodes: vec![],
            },
        })
}

pub fn wmo307() -> impl Strategy<Value = Wmo307> {
    (
        header_a(),
        bsn(),
        geboortedatum(),
        pick(Geslacht::ALL),
        verkorte_naam(),
        proptest::collection::vec(
            (
                opt(nummer()),
                opt(product()),
                opt(date()),
                date(),
                pick(RedenBeeindiging::ALL),
                date(),
                pick(StatusAanlevering::ALL),
            ),
            1..4,
        ),
    )
        .prop_map(|(header, bsn, geboortedatum, geslacht, naam, sp)| Wmo307 {
            header,
            client: Client307 {
                bsn,
                geboortedatum,
                geslacht,
                naam,
                stop_producten: sp
                    .into_iter()
                    .map(
                        |(
                            toewijzing_nummer,
                            product,
                            toewijzing_ingangsdatum,
                            begindatum,
                            reden_beeindiging,
                            einddatum,
                            status_aanlevering,
                        )| StopProduct {
                            toewijzing_nummer,
                            product,
                            toewijzing_ingangsdatum,
                            begindatum,
                            reden_beeindiging,
                            einddatum,
                            status_aanlevering,
                            retourcodes: vec![],
                        },
                    )
                    .collect(),
                retourcodes: vec![],
            },
        })
}

fn aangevraagd() -> impl Strategy<Value = AangevraagdProduct> {
    (
        (
            referentie(),
            opt(nummer()),
            opt(product()),
            opt(date()),
            date(),
            opt(date()),
        ),
        (
            opt(omvang()),
            budget(),
            (
                pick(TypeVerwijzer::ALL),
                opt(text(64).prop_map(|s| NaamVerwijzer::new(s).unwrap())),
                opt(agb()),
            ),
            opt(pick(JaNee::ALL)),
            opt(commentaar()),
        ),
    )
        .prop_map(
            |(
                (
                    referentie_aanbieder,
                    beschikking_nummer,
                    product,
                    beschikking_ingangsdatum,
                    toewijzing_ingangsdatum,
                    toewijzing_einddatum,
                ),
                (omvang, budget, (t, naam, zorgverlener_code), raamcontract, commentaar),
            )| AangevraagdProduct {
                referentie_aanbieder,
                beschikking_nummer,
                product,
                beschikking_ingangsdatum,
                toewijzing_ingangsdatum,
                toewijzing_einddatum,
                omvang,
                budget,
                verwijzer: Verwijzer {
                    type_verwijzer: t,
                    naam,
                    zorgverlener_code,
                },
                raamcontract,
                commentaar,
                retourcodes: vec![],
            },
        )
}

pub fn wmo315() -> impl Strategy<Value = Wmo315> {
    (
        header_a(),
        bsn(),
        geboortedatum(),
        pick(Geslacht::ALL),
        verkorte_naam(),
        opt(commentaar()),
        proptest::collection::vec(aangevraagd(), 1..3),
    )
        .prop_map(
            |(header, bsn, geboortedatum, geslacht, naam, commentaar, aangevraagde_producten)| {
                Wmo315 {
                    header,
                    client: Client315 {
                        bsn,
                        geboortedatum,
                        geslacht,
                        naam,
                        commentaar,
                        aangevraagde_producten,
                        retourcodes: vec![],
                    },
                }
            },
        )
}

pub fn wmo317() -> impl Strategy<Value = Wmo317> {
    (
        header_a(),
        bsn(),
        referentie(),
        pick(RedenVerzoek::ALL),
        proptest::collection::vec(
            nummer().prop_map(|toewijzing_nummer| OngewijzigdProduct {
                toewijzing_nummer,
                retourcodes: vec![],
            }),
            0..3,
        ),
        proptest::collection::vec(
            (nummer(), date(), opt(date()), opt(omvang()), budget()).prop_map(
                |(toewijzing_nummer, gewenste_ingangsdatum, einddatum, omvang, budget)| {
                    TeWijzigenProduct {
                        toewijzing_nummer,
                        gewenste_ingangsdatum,
                        einddatum,
                        omvang,
                        budget,
                        retourcodes: vec![],
                    }
                },
            ),
            0..3,
        ),
        proptest::collection::vec(
            (opt(product()), date(), opt(date()), opt(omvang()), budget()).prop_map(
                |(product, gewenste_ingangsdatum, einddatum, omvang, budget)| NieuwProduct {
                    product,
                    gewenste_ingangsdatum,
                    einddatum,
                    omvang,
                    budget,
                    retourcodes: vec![],
                },
            ),
            0..3,
        ),
    )
        .prop_map(
            |(
                header,
                bsn,
                referentie_aanbieder,
                reden_verzoek,
                ongewijzigde_producten,
                te_wijzigen_producten,
                nieuwe_producten,
            )| Wmo317 {
                header,
                client: Client317 {
                    bsn,
                    verzoek: Verzoek {
                        referentie_aanbieder,
                        reden_verzoek,
                        ongewijzigde_producten,
                        te_wijzigen_producten,
                        nieuwe_producten,
                        retourcodes: vec![],
                    },
                    retourcodes: vec![],
                },
            },
        )
}

pub fn wmo319() -> impl Strategy<Value = Wmo319> {
    (
        header_g(),
        referentie(),
        pick(VerzoekAntwoord::ALL),
        opt(pick(RedenAfwijzingVerzoek::ALL)),
    )
        .prop_map(
            |(header, referentie_aanbieder, verzoek_antwoord, reden_afwijzing_verzoek)| Wmo319 {
                header,
                antwoord: Antwoord {
                    referentie_aanbieder,
                    verzoek_antwoord,
                    reden_afwijzing_verzoek,
                    retourcodes: vec![],
                },
            },
        )
}

fn prestatie() -> impl Strategy<Value = Prestatie> {
    (
        ("[A-Za-z0-9]{1,20}", opt("[A-Za-z0-9 ]{1,20}")),
        nummer(),
        pick(ProductCategorie::ALL),
        "[0-9A-Z]{1,5}",
        (date(), date()),
        0u32..=99_999_999,
        pick(Eenheid::ALL),
        opt(0u32..=99_999_999),
        (0u32..=99_999_999, pick(DebetCredit::ALL)),
    )
        .prop_map(
            |(
                (r, v),
                toewijzing_nummer,
                product_categorie,
                code,
                (b, e),
                vol,
                eenheid,
                tarief,
                (bedrag, dc),
            )| Prestatie {
                product_referentie: ProductReferentie {
                    referentie_nummer: ReferentieNummer::new(r).unwrap(),
                    vorig_referentie_nummer: v.map(|v| ReferentieNummer::new(v).unwrap()),
                },
                toewijzing_nummer,
                product_categorie,
                product_code: ProductCode::new(code).unwrap(),
                product_periode: GeslotenPeriode {
                    begindatum: b,
                    einddatum: e,
                },
                geleverd_volume: Volume::new(vol).unwrap(),
                eenheid,
                product_tarief: tarief.map(|t| Bedrag::new(t).unwrap()),
                ingediend_bedrag: BedragMetDc {
                    bedrag: Bedrag::new(bedrag).unwrap(),
                    debet_credit: dc,
                },
                retourcodes: vec![],
            },
        )
}

fn declaratie_client() -> impl Strategy<Value = DeclaratieClient> {
    (bsn(), proptest::collection::vec(prestatie(), 1..4)).prop_map(|(bsn, prestaties)| {
        DeclaratieClient {
            bsn,
            prestaties,
            retourcodes: vec![],
        }
    })
}

fn totaal() -> impl Strategy<Value = TotaalBedragMetDc> {
    (0u64..=999_999_999_999, pick(DebetCredit::ALL)).prop_map(|(t, debet_credit)| {
        TotaalBedragMetDc {
            totaal_bedrag: TotaalBedrag::new(t).unwrap(),
            debet_credit,
        }
    })
}

pub fn wmo323() -> impl Strategy<Value = Wmo323> {
    (
        header_a(),
        "[A-Za-z0-9]{1,12}",
        (date(), date()),
        date(),
        totaal(),
        proptest::collection::vec(declaratie_client(), 1..4),
    )
        .prop_map(
            |(header, nr, (b, e), dd, totaal_ingediend_bedrag, clienten)| Wmo323 {
                header,
                declaratie: DeclaratieKop {
                    declaratie_nummer: DeclaratieNummer::new(nr).unwrap(),
                    declaratie_periode: GeslotenPeriode {
                        begindatum: b,
                        einddatum: e,
                    },
                    declaratie_dagtekening: dd,
                    totaal_ingediend_bedrag,
                },
                clienten,
            },
        )
}

fn codes() -> impl Strategy<Value = Vec<RetourCode>> {
    proptest::collection::vec(
        (0usize..59).prop_map(|i| RetourCode::all().nth(i).unwrap()),
        1..3,
    )
}

fn retour_header<A: Clone + std::fmt::Debug, O: Clone + std::fmt::Debug>(
    h: impl Strategy<Value = Header<A, O>>,
) -> impl Strategy<Value = RetourHeader<A, O>> {
    (
        h,
        "[A-Za-z0-9]{1,12}",
        date(),
        opt("[1-9]\\.[0-9]\\.[0-9]"),
        xsd_versie(),
        proptest::option::of(codes()),
    )
        .prop_map(|(heen, id, dag, xslt, xsd, rc)| RetourHeader {
            heen,
            identificatie_retour: IdentificatieBericht::new(id).unwrap(),
            dagtekening_retour: dag,
            xslt_versie: xslt.map(|x| Versie::new(x).unwrap()),
            xsd_versie_retour: xsd,
            retourcodes: rc.unwrap_or_default(),
        })
}

/// Retour classes carry at least one code each.
fn with_codes<T>(v: T, c: &[RetourCode], set: impl FnOnce(&mut T, &[RetourCode])) -> T {
    let mut v = v;
    set(&mut v, c);
    v
}

pub fn wmo302() -> impl Strategy<Value = Wmo302> {
    (retour_header(header_g()), opt(wmo301()), codes()).prop_map(|(header, m, c)| Wmo302 {
        header,
        client: m.map(|m| {
            with_codes(m.client, &c, |cl, c| {
                cl.retourcodes = c.to_vec();
                for r in &mut cl.relaties {
                    r.retourcodes = c.to_vec();
                    r.contact.retourcodes = c.to_vec();
                }
                for x in &mut cl.contactgegevens {
                    x.retourcodes = c.to_vec();
                }
                for x in &mut cl.toegewezen_producten {
                    x.retourcodes = c.to_vec();
                }
            })
        }),
    })
}

pub fn wmo306() -> impl Strategy<Value = Wmo306> {
    (retour_header(header_a()), opt(wmo305()), codes()).prop_map(|(header, m, c)| Wmo306 {
        header,
        client: m.map(|m| {
            with_codes(m.client, &c, |cl, c| {
                cl.retourcodes = c.to_vec();
                for x in &mut cl.start_producten {
                    x.retourcodes = c.to_vec();
                }
            })
        }),
    })
}

pub fn wmo308() -> impl Strategy<Value = Wmo308> {
    (retour_header(header_a()), opt(wmo307()), codes()).prop_map(|(header, m, c)| Wmo308 {
        header,
        client: m.map(|m| {
            with_codes(m.client, &c, |cl, c| {
                cl.retourcodes = c.to_vec();
                for x in &mut cl.stop_producten {
                    x.retourcodes = c.to_vec();
                }
            })
        }),
    })
}

pub fn wmo316() -> impl Strategy<Value = Wmo316> {
    (retour_header(header_a()), opt(wmo315()), codes()).prop_map(|(header, m, c)| Wmo316 {
        header,
        client: m.map(|m| {
            with_codes(m.client, &c, |cl, c| {
                cl.retourcodes = c.to_vec();
                for x in &mut cl.aangevraagde_producten {
                    x.retourcodes = c.to_vec();
                }
            })
        }),
    })
}

pub fn wmo318() -> impl Strategy<Value = Wmo318> {
    (retour_header(header_a()), opt(wmo317()), codes()).prop_map(|(header, m, c)| Wmo318 {
        header,
        client: m.map(|m| {
            with_codes(m.client, &c, |cl, c| {
                cl.retourcodes = c.to_vec();
                cl.verzoek.retourcodes = c.to_vec();
                for x in &mut cl.verzoek.ongewijzigde_producten {
                    x.retourcodes = c.to_vec();
                }
                for x in &mut cl.verzoek.te_wijzigen_producten {
                    x.retourcodes = c.to_vec();
                }
                for x in &mut cl.verzoek.nieuwe_producten {
                    x.retourcodes = c.to_vec();
                }
            })
        }),
    })
}

pub fn wmo320() -> impl Strategy<Value = Wmo320> {
    (retour_header(header_g()), opt(wmo319()), codes()).prop_map(|(header, m, c)| Wmo320 {
        header,
        antwoord: m.map(|m| with_codes(m.antwoord, &c, |a, c| a.retourcodes = c.to_vec())),
    })
}

pub fn wmo325() -> impl Strategy<Value = Wmo325> {
    (
        header_g(),
        ident(),
        opt("[1-9]\\.[0-9]\\.[0-9]"),
        xsd_versie(),
        codes(),
        opt((wmo323(), totaal(), codes(), proptest::bool::ANY)),
    )
        .prop_map(|(header, di, xslt, xsd, hc, body)| Wmo325 {
            header: Header325 {
                header,
                declaratie_identificatie: di,
                xslt_versie: xslt.map(|x| Versie::new(x).unwrap()),
                xsd_versie_declaratie: xsd,
                retourcodes: hc,
            },
            declaratie_antwoord: body.map(|(m, toegekend, c, with_clients)| DeclaratieAntwoord {
                declaratie_nummer: IdentificatieDeclaratie::new(
                    m.declaratie.declaratie_nummer.as_str(),
                )
                .unwrap(),
                totaal_ingediend_bedrag: m.declaratie.totaal_ingediend_bedrag.clone(),
                totaal_toegekend_bedrag: toegekend,
                clienten: if with_clients {
                    m.clienten
                        .into_iter()
                        .map(|mut cl| {
                            cl.retourcodes = c.clone();
                            for p in &mut cl.prestaties {
                                p.retourcodes = c.clone();
                            }
                            cl
                        })
                        .collect()
                } else {
                    vec![]
                },
                retourcodes: c,
            }),
        })
}

/// Any message of any of the fourteen types.
pub fn any_bericht() -> impl Strategy<Value = Bericht> {
    prop_oneof![
        wmo301().prop_map(Bericht::Wmo301),
        wmo302().prop_map(Bericht::Wmo302),
        wmo305().prop_map(Bericht::Wmo305),
        wmo306().prop_map(Bericht::Wmo306),
        wmo307().prop_map(Bericht::Wmo307),
        wmo308().prop_map(Bericht::Wmo308),
        wmo315().prop_map(Bericht::Wmo315),
        wmo316().prop_map(Bericht::Wmo316),
        wmo317().prop_map(Bericht::Wmo317),
        wmo318().prop_map(Bericht::Wmo318),
        wmo319().prop_map(Bericht::Wmo319),
        wmo320().prop_map(Bericht::Wmo320),
        wmo323().prop_map(Bericht::Wmo323),
        wmo325().prop_map(Bericht::Wmo325),
    ]
}

/// `n` generated messages of each type (deterministic seed), plus the retours
/// the validator builds for the samples, for xmllint.
pub fn all_messages(n: usize) -> Vec<Bericht> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let mut out = Vec::new();
    let strategies: Vec<BoxedStrategy<Bericht>> = vec![
        wmo301().prop_map(Bericht::Wmo301).boxed(),
        wmo302().prop_map(Bericht::Wmo302).boxed(),
        wmo305().prop_map(Bericht::Wmo305).boxed(),
        wmo306().prop_map(Bericht::Wmo306).boxed(),
        wmo307().prop_map(Bericht::Wmo307).boxed(),
        wmo308().prop_map(Bericht::Wmo308).boxed(),
        wmo315().prop_map(Bericht::Wmo315).boxed(),
        wmo316().prop_map(Bericht::Wmo316).boxed(),
        wmo317().prop_map(Bericht::Wmo317).boxed(),
        wmo318().prop_map(Bericht::Wmo318).boxed(),
        wmo319().prop_map(Bericht::Wmo319).boxed(),
        wmo320().prop_map(Bericht::Wmo320).boxed(),
        wmo323().prop_map(Bericht::Wmo323).boxed(),
        wmo325().prop_map(Bericht::Wmo325).boxed(),
    ];
    for s in &strategies {
        for _ in 0..n {
            out.push(s.new_tree(&mut runner).unwrap().current());
        }
    }
    // Retours as the validator builds them, for good and broken samples.
    let p = Partijen::default();
    let ctx = InMemoryContext::new();
    let heen = [
        Bericht::Wmo301(sample::toewijzing(&p, "T1", sample::bsn(1), 1001)),
        Bericht::Wmo305(sample::start(&p, "S1", sample::bsn(1), 1001)),
        Bericht::Wmo307(sample::stop(&p, "E1", sample::bsn(1), 1001)),
        Bericht::Wmo315(sample::verzoek_toewijzing(&p, "V1", sample::bsn(1), "R1")),
        Bericht::Wmo317(sample::verzoek_wijziging(
            &p,
            "W1",
            sample::bsn(1),
            "R2",
            1001,
        )),
        Bericht::Wmo319(sample::antwoord(&p, "A1", "R1")),
        Bericht::Wmo323(sample::declaratie(
            &p,
            "D1",
            "DN1",
            &[(sample::bsn(1), 1001), (sample::bsn(2), 1002)],
        )),
    ];
    for b in heen {
        out.push(b.clone());
        for variant in [
            Uitvoeringsvariant::Inspanningsgericht,
            Uitvoeringsvariant::Taakgericht,
        ] {
            let report = validate::validate_with(
                b.to_xml().as_bytes(),
                &ctx,
                &Options {
                    variant,
                    alleen_bericht: false,
                },
            );
            out.push(validate::retour_for(&report, &RetourParams::default()).unwrap());
        }
    }
    out
}

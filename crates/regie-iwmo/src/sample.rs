//! Builders for complete, valid messages of every heen type (and, through
//! [`crate::validate::retour_for`], of every retour type). Used by the tests,
//! the fuzz seeds and the benchmark, and handy as a starting point for
//! producing a WMO301 from typed data.

use crate::bericht::*;
use crate::model::*;
use crate::types::*;
use chrono::{NaiveDate, NaiveTime};
use regie_domain::{AgbCode as DomAgb, Bsn, Gemeentecode};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

/// Parties of a sample chain.
#[derive(Debug, Clone)]
pub struct Partijen {
    /// Gemeente.
    pub gemeente: Gemeente,
    /// Aanbieder.
    pub aanbieder: AgbCode,
}

impl Default for Partijen {
    fn default() -> Self {
        Partijen {
            gemeente: "0363".parse::<Gemeentecode>().expect("valid").into(),
            aanbieder: "12345678".parse::<DomAgb>().expect("valid").into(),
        }
    }
}

fn ident(id: &str, dag: NaiveDate) -> BerichtIdentificatie {
    BerichtIdentificatie {
        identificatie: IdentificatieBericht::new(id).expect("identificatie of 1-12 characters"),
        dagtekening: dag,
    }
}

fn van_gemeente(p: &Partijen, id: &str, dag: NaiveDate) -> Header<Gemeente, AgbCode> {
    Header {
        afzender: p.gemeente.clone(),
        ontvanger: p.aanbieder.clone(),
        bericht_identificatie: ident(id, dag),
        xsd_versie: XsdVersie::current(),
    }
}

fn van_aanbieder(p: &Partijen, id: &str, dag: NaiveDate) -> Header<AgbCode, Gemeente> {
    Header {
        afzender: p.aanbieder.clone(),
        ontvanger: p.gemeente.clone(),
        bericht_identificatie: ident(id, dag),
        xsd_versie: XsdVersie::current(),
    }
}

fn naam(achternaam: &str) -> VolledigeNaam {
    VolledigeNaam {
        geslachtsnaam: Achternaam {
            achternaam: Naam::new(achternaam).expect("valid"),
            voorvoegsel: None,
        },
        partnernaam: None,
        voornamen: None,
        voorletters: Some(Voorletters::new("J").expect("valid")),
        naam_gebruik: NaamGebruik::EigenNaam,
    }
}

fn verkort(achternaam: &str) -> VerkorteNaam {
    VerkorteNaam {
        geslachtsnaam: Achternaam {
            achternaam: Naam::new(achternaam).expect("valid"),
            voorvoegsel: None,
        },
        voornamen: None,
        voorletters: Some(Voorletters::new("J").expect("valid")),
    }
}

fn geboren() -> Geboortedatum {
    Geboortedatum {
        datum: d(1950, 6, 15),
        datum_gebruik: None,
    }
}

/// The product used by the samples: 02A01 (Begeleiding), 4 uur per week.
pub fn product() -> Product {
    Product {
        categorie: ProductCategorie::Begeleiding,
        code: Some(ProductCode::new("02A01").expect("valid")),
    }
}

/// A BRP address contact in the Netherlands.
pub fn contact() -> Contact {
    Contact {
        soort: AdresSoort::BrpAdres,
        adres: Some(Adres {
            huis: Some(Huis {
                huisnummer: Huisnummer::new(12).expect("valid"),
                huisletter: None,
                huisnummer_toevoeging: None,
                aanduiding_woonadres: None,
            }),
            postcode: Some(Postcode::new("1234AB").expect("valid")),
            straatnaam: Some(Straatnaam::new("Dorpsstraat").expect("valid")),
            plaatsnaam: Some(Plaatsnaam::new("Amsterdam").expect("valid")),
            land_code: Some(LandCode::NL),
        }),
        organisatie: None,
        telefoon: None,
        emailadres: None,
        periode: None,
        retourcodes: vec![],
    }
}

/// A ToegewezenProduct for 2024: 4 uur per week of 02A01.
pub fn toegewezen_product(nummer: u32) -> ToegewezenProduct {
    ToegewezenProduct {
        toewijzing_nummer: Nummer::new(nummer).expect("nummer within LDT_Nummer"),
        referentie_aanbieder: None,
        product: Some(product()),
        toewijzingsdatum: d(2023, 12, 15),
        toewijzingstijd: NaiveTime::from_hms_opt(10, 30, 0).expect("valid"),
        ingangsdatum: d(2024, 1, 1),
        einddatum: Some(d(2024, 12, 31)),
        reden_wijziging: None,
        omvang: Some(Omvang {
            volume: Volume::new(4).expect("valid"),
            eenheid: Eenheid::Uur,
            frequentie: Frequentie::PerWeek,
        }),
        budget: None,
        commentaar: None,
        retourcodes: vec![],
    }
}

/// WMO301 toewijzing of one product (dagtekening 2024-01-02).
pub fn toewijzing(p: &Partijen, id: &str, bsn: Bsn, nummer: u32) -> Wmo301 {
    Wmo301 {
        header: van_gemeente(p, id, d(2024, 1, 2)),
        client: Client301 {
            bsn: bsn.into(),
            geboortedatum: geboren(),
            geslacht: Geslacht::Vrouwelijk,
            naam: naam("Jansen"),
            communicatie: None,
            juridische_status: None,
            wettelijke_vertegenwoordiging: None,
            commentaar: None,
            relaties: vec![],
            contactgegevens: vec![contact()],
            toegewezen_producten: vec![toegewezen_product(nummer)],
            retourcodes: vec![],
        },
    }
}

/// WMO305 start of the toewijzing `nummer` on 2024-01-08.
pub fn start(p: &Partijen, id: &str, bsn: Bsn, nummer: u32) -> Wmo305 {
    Wmo305 {
        header: van_aanbieder(p, id, d(2024, 1, 10)),
        client: Client305 {
            bsn: bsn.into(),
            geboortedatum: geboren(),
            geslacht: Geslacht::Vrouwelijk,
            naam: verkort("Jansen"),
            start_producten: vec![StartProduct {
                toewijzing_nummer: Some(Nummer::new(nummer).expect("valid")),
                product: Some(product()),
                toewijzing_ingangsdatum: Some(d(2024, 1, 1)),
                begindatum: d(2024, 1, 8),
                status_aanlevering: StatusAanlevering::Eerste,
                retourcodes: vec![],
            }],
            retourcodes: vec![],
        },
    }
}

/// WMO307 stop of the delivery started by [`start`], ending 2024-06-30.
pub fn stop(p: &Partijen, id: &str, bsn: Bsn, nummer: u32) -> Wmo307 {
    Wmo307 {
        header: van_aanbieder(p, id, d(2024, 7, 2)),
        client: Client307 {
            bsn: bsn.into(),
            geboortedatum: geboren(),
            geslacht: Geslacht::Vrouwelijk,
            naam: verkort("Jansen"),
            stop_producten: vec![StopProduct {
                toewijzing_nummer: Some(Nummer::new(nummer).expect("valid")),
                product: Some(product()),
                toewijzing_ingangsdatum: Some(d(2024, 1, 1)),
                begindatum: d(2024, 1, 8),
                reden_beeindiging: RedenBeeindiging::VolgensPlan,
                einddatum: d(2024, 6, 30),
                status_aanlevering: StatusAanlevering::Eerste,
                retourcodes: vec![],
            }],
            retourcodes: vec![],
        },
    }
}

/// WMO315 verzoek om toewijzing for 02A01 from 2024-02-01.
pub fn verzoek_toewijzing(p: &Partijen, id: &str, bsn: Bsn, referentie: &str) -> Wmo315 {
    Wmo315 {
        header: van_aanbieder(p, id, d(2024, 1, 15)),
        client: Client315 {
            bsn: bsn.into(),
            geboortedatum: geboren(),
            geslacht: Geslacht::Mannelijk,
            naam: verkort("Bakker"),
            commentaar: None,
            aangevraagde_producten: vec![AangevraagdProduct {
                referentie_aanbieder: Referentie::new(referentie).expect("valid"),
                beschikking_nummer: None,
                product: Some(product()),
                beschikking_ingangsdatum: None,
                toewijzing_ingangsdatum: d(2024, 2, 1),
                toewijzing_einddatum: Some(d(2024, 12, 31)),
                omvang: Some(Omvang {
                    volume: Volume::new(4).expect("valid"),
                    eenheid: Eenheid::Uur,
                    frequentie: Frequentie::PerWeek,
                }),
                budget: None,
                verwijzer: Verwijzer {
                    type_verwijzer: TypeVerwijzer::Gemeente,
                    naam: None,
                    zorgverlener_code: None,
                },
                raamcontract: None,
                commentaar: None,
                retourcodes: vec![],
            }],
            retourcodes: vec![],
        },
    }
}

/// WMO317 verzoek om wijziging: raise toewijzing `nummer` to 6 uur per week for its whole period.
pub fn verzoek_wijziging(
    p: &Partijen,
    id: &str,
    bsn: Bsn,
    referentie: &str,
    nummer: u32,
) -> Wmo317 {
    Wmo317 {
        header: van_aanbieder(p, id, d(2024, 5, 1)),
        client: Client317 {
            bsn: bsn.into(),
            verzoek: Verzoek {
                referentie_aanbieder: Referentie::new(referentie).expect("valid"),
                reden_verzoek: RedenVerzoek::WijzigingZorgplan,
                ongewijzigde_producten: vec![],
                te_wijzigen_producten: vec![TeWijzigenProduct {
                    toewijzing_nummer: Nummer::new(nummer).expect("valid"),
                    gewenste_ingangsdatum: d(2024, 1, 1),
                    einddatum: Some(d(2024, 12, 31)),
                    omvang: Some(Omvang {
                        volume: Volume::new(6).expect("valid"),
                        eenheid: Eenheid::Uur,
                        frequentie: Frequentie::PerWeek,
                    }),
                    budget: None,
                    retourcodes: vec![],
                }],
                nieuwe_producten: vec![],
                retourcodes: vec![],
            },
            retourcodes: vec![],
        },
    }
}

/// WMO319 antwoord "aanvraag in onderzoek" on a verzoek.
pub fn antwoord(p: &Partijen, id: &str, referentie: &str) -> Wmo319 {
    Wmo319 {
        header: van_gemeente(p, id, d(2024, 1, 17)),
        antwoord: Antwoord {
            referentie_aanbieder: Referentie::new(referentie).expect("valid"),
            verzoek_antwoord: VerzoekAntwoord::InOnderzoek,
            reden_afwijzing_verzoek: None,
            retourcodes: vec![],
        },
    }
}

/// A debet Prestatie of 16 uur à € 60,00 in March 2024 on toewijzing `nummer`.
pub fn prestatie(referentie: &str, nummer: u32) -> Prestatie {
    Prestatie {
        product_referentie: ProductReferentie {
            referentie_nummer: ReferentieNummer::new(referentie).expect("valid"),
            vorig_referentie_nummer: None,
        },
        toewijzing_nummer: Nummer::new(nummer).expect("valid"),
        product_categorie: ProductCategorie::Begeleiding,
        product_code: ProductCode::new("02A01").expect("valid"),
        product_periode: GeslotenPeriode {
            begindatum: d(2024, 3, 1),
            einddatum: d(2024, 3, 31),
        },
        geleverd_volume: Volume::new(16).expect("valid"),
        eenheid: Eenheid::Uur,
        product_tarief: Some(Bedrag::new(6000).expect("valid")),
        ingediend_bedrag: BedragMetDc {
            bedrag: Bedrag::new(96_000).expect("valid"),
            debet_credit: DebetCredit::Debet,
        },
        retourcodes: vec![],
    }
}

/// WMO323 declaratie over March 2024 with one Prestatie per (client, toewijzing).
pub fn declaratie(p: &Partijen, id: &str, nummer: &str, clienten: &[(Bsn, u32)]) -> Wmo323 {
    let clienten: Vec<DeclaratieClient> = clienten
        .iter()
        .enumerate()
        .map(|(i, (bsn, tw))| DeclaratieClient {
            bsn: (*bsn).into(),
            prestaties: vec![prestatie(&format!("{nummer}-{i}"), *tw)],
            retourcodes: vec![],
        })
        .collect();
    let totaal: i64 = clienten
        .iter()
        .flat_map(|c| &c.prestaties)
        .map(|p| p.ingediend_bedrag.signed())
        .sum();
    Wmo323 {
        header: van_aanbieder(p, id, d(2024, 4, 5)),
        declaratie: DeclaratieKop {
            declaratie_nummer: DeclaratieNummer::new(nummer)
                .expect("alphanumeric declaratienummer"),
            declaratie_periode: GeslotenPeriode {
                begindatum: d(2024, 3, 1),
                einddatum: d(2024, 3, 31),
            },
            declaratie_dagtekening: d(2024, 4, 5),
            totaal_ingediend_bedrag: TotaalBedragMetDc::from_signed(totaal).expect("total fits"),
        },
        clienten,
    }
}

/// The n-th valid BSN (deterministic, for generating many clients).
pub fn bsn(n: u32) -> Bsn {
    let mut prefix = 10_000_000 + n * 7;
    loop {
        if let Some(b) = Bsn::complete(prefix % 100_000_000) {
            return b;
        }
        prefix += 1;
    }
}

/// Message `i` of the benchmark mix: 40% WMO301, 25% 305, 15% 307, 5% each
/// 315, 317 and 319, 5% WMO323 with 1–20 clients. Start, stop, change and
/// declaration messages refer to toewijzingen of earlier 301s in the mix, so
/// cross-message rules find what they need.
pub fn bench_message(p: &Partijen, i: usize) -> Bericht {
    let n = i as u32;
    let id = format!("B{n}");
    match i % 20 {
        0..=7 => Bericht::Wmo301(toewijzing(p, &id, bsn(n), 100_000 + n)),
        8..=12 => Bericht::Wmo305(start(p, &id, bsn(n - 8), 100_000 + n - 8)),
        13..=15 => Bericht::Wmo307(stop(p, &id, bsn(n - 13), 100_000 + n - 13)),
        16 => Bericht::Wmo315(verzoek_toewijzing(p, &id, bsn(n), &format!("R{n}"))),
        17 => Bericht::Wmo317(verzoek_wijziging(
            p,
            &id,
            bsn(n - 17),
            &format!("W{n}"),
            100_000 + n - 17,
        )),
        18 => Bericht::Wmo319(antwoord(p, &id, &format!("R{}", n - 2))),
        _ => {
            let clients: Vec<_> = (0..(1 + n % 20))
                .map(|k| (bsn(n - 19 + k), 100_000 + n - 19 + k))
                .collect();
            Bericht::Wmo323(declaratie(p, &id, &format!("DN{n}"), &clients))
        }
    }
}

//! Building the WMO301 toewijzingbericht for one client at one aanbieder from
//! the stored toewijzingen and personal data: shared by the export and by the
//! answer to a granted verzoek (WMO315/317).

use super::{
    corrupt, fingerprint_tp, keys_of, load_snapshot, opt_date, uitvoeringsvariant, StoreError,
};
use crate::{persoon, Result};
use chrono::{NaiveDate, NaiveDateTime, Timelike};
use regie_domain::persoon as brp;
use regie_iwmo::bericht::{self, Bericht};
use regie_iwmo::model::*;
use regie_iwmo::types::*;
use regie_iwmo::validate::{self, Options, Uitvoeringsvariant, ValidationReport};
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};

/// The `toewijzingen` columns the builder reads, in order (alias `t`, with
/// `clients c` and `lots l` joined).
pub(super) const COLS: &str = "t.id, t.gemeente, t.provider_agb, t.bsn, t.categorie, t.productcode, t.volume, t.unit, t.frequentie, t.budget_cents, t.start_date, t.end_date, t.reden_wijziging, c.birth_date, l.funding";

/// Which rows of a client go into the message.
pub(super) enum Selectie<'a> {
    /// Every row given (the export selected them by date already).
    Alle,
    /// An answer on `today`: rows valid on or after today, rows changed since
    /// the last WMO301 and the rows this verzoek touched (OP087).
    Antwoord {
        /// Date of the answer.
        today: NaiveDate,
        /// Ids of the toewijzingen granted or changed by the verzoek.
        touched: &'a HashSet<String>,
    },
}

/// The ToegewezenProducten of one client with what the store must record.
pub(super) struct Producten {
    /// In message order.
    pub producten: Vec<ToegewezenProduct>,
    /// ToewijzingNummer → (toewijzingen.id, content fingerprint).
    pub ids: HashMap<u32, (String, String)>,
    /// Whether any product differs from what was last sent (or is new).
    pub changed: bool,
    /// Execution variant of the (last) lot, for validation.
    pub variant: Uitvoeringsvariant,
    /// The client's birth date.
    pub birth: NaiveDate,
}

/// Turns stored toewijzingen rows (all of one client, gemeente and aanbieder)
/// into ToegewezenProducten, numbering new ones after the gemeente's highest
/// ToewijzingNummer (a changed toewijzing keeps its number, IV066).
/// `referentie` gives the ReferentieAanbieder per toewijzing id (IV097).
pub(super) async fn producten(
    c: &mut AnyConnection,
    g: &str,
    rows: &[sqlx::any::AnyRow],
    now: NaiveDateTime,
    selectie: &Selectie<'_>,
    referentie: &dyn Fn(&str) -> Option<Referentie>,
) -> Result<Option<Producten>> {
    let t = "toewijzingen";
    let (mut next_nummer,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(MAX(nummer), 0) + 1 AS BIGINT) FROM iwmo_toewijzingen WHERE gemeente = $1",
    )
    .bind(g)
    .fetch_one(&mut *c)
    .await?;
    let mut out = Producten {
        producten: Vec::new(),
        ids: HashMap::new(),
        changed: false,
        variant: Uitvoeringsvariant::Inspanningsgericht,
        birth: NaiveDate::MIN,
    };
    for r in rows {
        let tid: String = r.try_get(0)?;
        let existing: Option<(i64, String)> = sqlx::query_as(
            "SELECT nummer, fingerprint FROM iwmo_toewijzingen WHERE toewijzing_id = $1",
        )
        .bind(&tid)
        .fetch_optional(&mut *c)
        .await?;
        let categorie = ProductCategorie::from_code(&r.try_get::<String, _>(4)?)
            .ok_or_else(|| corrupt(t, "categorie", "not an iWmo category"))?;
        let code = r
            .try_get::<Option<String>, _>(5)?
            .map(|c| ProductCode::new(c).map_err(|e| corrupt(t, "productcode", e)))
            .transpose()?;
        let omvang = match (
            r.try_get::<Option<i64>, _>(6)?,
            r.try_get::<Option<String>, _>(7)?,
            r.try_get::<Option<String>, _>(8)?,
        ) {
            (Some(v), Some(u), Some(f)) => Some(Omvang {
                volume: u32::try_from(v)
                    .ok()
                    .and_then(|v| Volume::new(v).ok())
                    .ok_or_else(|| corrupt(t, "volume", v))?,
                eenheid: Eenheid::from_code(&u).ok_or_else(|| corrupt(t, "unit", u))?,
                frequentie: Frequentie::from_code(&f).ok_or_else(|| corrupt(t, "frequentie", f))?,
            }),
            _ => None,
        };
        let budget = r
            .try_get::<Option<i64>, _>(9)?
            .map(|b| {
                u32::try_from(b)
                    .ok()
                    .and_then(|b| Budget::new(b).ok())
                    .ok_or_else(|| corrupt(t, "budget_cents", b))
            })
            .transpose()?;
        let reden = r
            .try_get::<Option<i64>, _>(12)?
            .map(|x| {
                RedenWijziging::from_code(&format!("{x:02}"))
                    .ok_or_else(|| corrupt(t, "reden_wijziging", x))
            })
            .transpose()?;
        let nummer = match &existing {
            Some((n, _)) => *n,
            None => {
                next_nummer += 1;
                next_nummer - 1
            }
        };
        let tp = ToegewezenProduct {
            toewijzing_nummer: u32::try_from(nummer)
                .ok()
                .and_then(|n| Nummer::new(n).ok())
                .ok_or_else(|| corrupt("iwmo_toewijzingen", "nummer", nummer))?,
            referentie_aanbieder: referentie(&tid),
            product: Some(Product { categorie, code }),
            toewijzingsdatum: now.date(),
            toewijzingstijd: now.time().with_nanosecond(0).unwrap_or_default(),
            ingangsdatum: crate::parse_date(t, "start_date", &r.try_get::<String, _>(10)?)?,
            einddatum: opt_date(t, "end_date", r.try_get(11)?)?,
            reden_wijziging: reden,
            omvang,
            budget,
            commentaar: None,
            retourcodes: vec![],
        };
        let fp = fingerprint_tp(&tp);
        let changed = existing.as_ref().is_none_or(|(_, f)| *f != fp);
        if let Selectie::Antwoord { today, touched } = selectie {
            // Ended before today: only when changed since it was last sent
            // (OP087), never a long-ended toewijzing that was never sent.
            let ended = tp.einddatum.is_some_and(|e| e < *today);
            let sent_and_changed = existing.is_some() && changed;
            if ended && !sent_and_changed && !touched.contains(&tid) {
                if existing.is_none() {
                    next_nummer -= 1; // the number was not used
                }
                continue;
            }
        }
        out.changed |= changed;
        out.ids.insert(tp.toewijzing_nummer.get(), (tid, fp));
        out.variant = uitvoeringsvariant(
            serde_json::from_str(&r.try_get::<String, _>(14)?)
                .map_err(|e| corrupt("lots", "funding", e))?,
        );
        out.birth = crate::parse_date("clients", "birth_date", &r.try_get::<String, _>(13)?)?;
        out.producten.push(tp);
    }
    Ok((!out.producten.is_empty()).then_some(out))
}

fn brp_corrupt(column: &'static str, e: impl std::fmt::Display) -> StoreError {
    corrupt("client_persoonsgegevens", column, e)
}

fn achternaam(n: &brp::Geslachtsnaam) -> Result<Achternaam> {
    Ok(Achternaam {
        achternaam: Naam::new(n.achternaam.as_str()).map_err(|e| brp_corrupt("achternaam", e))?,
        voorvoegsel: n
            .voorvoegsel
            .as_ref()
            .map(|v| Voorvoegsel::new(v.as_str()))
            .transpose()
            .map_err(|e| brp_corrupt("voorvoegsel", e))?,
    })
}

/// The Client of a WMO301 from the client's stored personal data.
pub(super) fn client(
    bsn: &str,
    birth: NaiveDate,
    p: &brp::Persoonsgegevens,
    producten: Vec<ToegewezenProduct>,
) -> Result<Client301> {
    let a = &p.adres;
    Ok(Client301 {
        bsn: BurgerServicenummer::new(bsn).map_err(|e| corrupt("toewijzingen", "bsn", e))?,
        geboortedatum: Geboortedatum {
            datum: birth,
            datum_gebruik: None,
        },
        geslacht: match p.geslacht {
            brp::Geslacht::Man => Geslacht::Mannelijk,
            brp::Geslacht::Vrouw => Geslacht::Vrouwelijk,
            brp::Geslacht::Onbekend => Geslacht::Onbekend,
        },
        naam: VolledigeNaam {
            geslachtsnaam: achternaam(&p.geslachtsnaam)?,
            partnernaam: p.naamgebruik.partnernaam().map(achternaam).transpose()?,
            voornamen: None,
            voorletters: Some(
                Voorletters::new(p.voorletters.as_str())
                    .map_err(|e| brp_corrupt("voorletters", e))?,
            ),
            naam_gebruik: match p.naamgebruik {
                brp::Naamgebruik::Eigen => NaamGebruik::EigenNaam,
                brp::Naamgebruik::Partner(_) => NaamGebruik::NaamPartner,
                brp::Naamgebruik::PartnerEigen(_) => NaamGebruik::NaamPartnerEigenNaam,
                brp::Naamgebruik::EigenPartner(_) => NaamGebruik::EigenNaamNaamPartner,
            },
        },
        communicatie: None,
        juridische_status: None,
        wettelijke_vertegenwoordiging: None,
        commentaar: None,
        relaties: vec![],
        contactgegevens: vec![Contact {
            soort: AdresSoort::BrpAdres,
            adres: Some(Adres {
                huis: Some(Huis {
                    huisnummer: Huisnummer::new(a.huisnummer.get())
                        .map_err(|e| brp_corrupt("huisnummer", e))?,
                    huisletter: a
                        .huisletter
                        .map(|l| Huisletter::new(l.get().to_string()))
                        .transpose()
                        .map_err(|e| brp_corrupt("huisletter", e))?,
                    huisnummer_toevoeging: a
                        .toevoeging
                        .as_ref()
                        .map(|t| HuisnummerToevoeging::new(t.as_str()))
                        .transpose()
                        .map_err(|e| brp_corrupt("huisnummer_toevoeging", e))?,
                    aanduiding_woonadres: None,
                }),
                postcode: Some(
                    Postcode::new(a.postcode.as_str()).map_err(|e| brp_corrupt("postcode", e))?,
                ),
                straatnaam: Some(
                    Straatnaam::new(a.straatnaam.as_str())
                        .map_err(|e| brp_corrupt("straatnaam", e))?,
                ),
                plaatsnaam: Some(
                    Plaatsnaam::new(a.plaatsnaam.as_str())
                        .map_err(|e| brp_corrupt("plaatsnaam", e))?,
                ),
                land_code: Some(LandCode::NL),
            }),
            organisatie: None,
            telefoon: None,
            emailadres: None,
            periode: None,
            retourcodes: vec![],
        }],
        toegewezen_producten: producten,
        retourcodes: vec![],
    })
}

/// A complete WMO301 from gemeente `g` to aanbieder `a` with identificatie `RG{mid}`.
pub(super) fn wmo301(
    g: &str,
    a: &str,
    mid: i64,
    today: NaiveDate,
    client: Client301,
) -> Result<bericht::Wmo301> {
    let t = "toewijzingen";
    Ok(bericht::Wmo301 {
        header: bericht::Header {
            afzender: Gemeente::new(g).map_err(|e| corrupt(t, "gemeente", e))?,
            ontvanger: AgbCode::new(a).map_err(|e| corrupt(t, "provider_agb", e))?,
            bericht_identificatie: BerichtIdentificatie {
                identificatie: IdentificatieBericht::new(format!("RG{mid:010}"))
                    .map_err(|e| StoreError::Conflict(e.to_string()))?,
                dagtekening: today,
            },
            xsd_versie: XsdVersie::current(),
        },
        client,
    })
}

/// Validates a message we are about to send (a WMO301, or the WMO319 of a
/// decided verzoek) against the chain state, like any received message.
pub(super) async fn valideer(
    c: &mut AnyConnection,
    b: &Bericht,
    g: &str,
    mid: i64,
    variant: Uitvoeringsvariant,
) -> Result<ValidationReport> {
    let keys = keys_of(b);
    let snap = load_snapshot(c, b.message_type(), g, &format!("RG{mid:010}"), &keys).await?;
    Ok(validate::validate_bericht(
        b,
        &snap,
        &Options {
            variant,
            alleen_bericht: false,
        },
    ))
}

/// Loads the client's personal data (`None`: no WMO301 may be made).
pub(super) async fn persoonsgegevens(
    c: &mut AnyConnection,
    bsn: &str,
) -> Result<Option<brp::Persoonsgegevens>> {
    persoon::load(c, bsn).await
}

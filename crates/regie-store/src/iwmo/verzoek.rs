//! Deciding verzoeken: a WMO315 verzoek om toewijzing (per AangevraagdProduct)
//! or a WMO317 verzoek om wijziging (as a whole) is checked against what the
//! store knows — the client's residence and beschikkingen, the region's lots
//! and the aanbieder's contracts, the toewijzingen already given — and answered:
//!
//! * granted: the toewijzing is stored (or changed) through the same checks
//!   as every toewijzing (beschikking, no stapeling OP259), and a WMO301 with
//!   all current toewijzingen of the client at the aanbieder is sent (OP087).
//!   No WMO319 goes with it: OP274/OP346 ask for "ofwel een toewijzingbericht
//!   ofwel een antwoordbericht" per verzoek, and VerzoekAntwoord has no
//!   "granted" value (1 afgewezen, 2 in onderzoek);
//! * not fitting: WMO319 VerzoekAntwoord 1 with the RedenAfwijzingVerzoek of
//!   the code list (CD085);
//! * needing a person's judgement: WMO319 VerzoekAntwoord 2 "in onderzoek";
//!   the final answer is then due within 8 weeks of the verzoek's dagtekening
//!   (OP274 for a WMO315, OP346 for a WMO317), tracked as a deadline until a
//!   person decides it ([`besluit`]: `Store::decide_verzoek`).
//!
//! Everything runs inside the received message's transaction; the grant is
//! tried in a savepoint so a grant that cannot be sent (no personal data, or
//! our own WMO301 failing validation) leaves nothing behind.

use super::bericht301::{self, Selectie};
use super::{add_deadline, add_werkdagen, apply_301, corrupt};
use crate::batch::ToewijzingRow;
use crate::care::{add_toewijzing_in, clash, load_beschikking};
use crate::{date_str, parse_date, Result, Store, StoreError};
use chrono::{NaiveDate, NaiveDateTime};
use regie_domain as dom;
use regie_iwmo::bericht::{self, Bericht};
use regie_iwmo::model::{Antwoord, BerichtIdentificatie, Omvang, Product, XsdVersie};
use regie_iwmo::types::{
    AgbCode, Budget, Gemeente, IdentificatieBericht, RedenAfwijzingVerzoek, Referentie,
    VerzoekAntwoord,
};
use sqlx::{AnyConnection, Row};
use std::collections::HashSet;

pub mod besluit;

/// Actor recorded in the audit trail for automatic decisions on verzoeken.
const ACTOR: &str = "iwmo verzoek";

/// OP274: a WMO315 is answered per product within 5 werkdagen of receipt; one
/// answered "in onderzoek" gets its final answer within 8 weeks.
const OP274: &str = "OP274";
/// OP346: the same for a WMO317 verzoek om wijziging (answered as a whole).
const OP346: &str = "OP346";

/// Due date of the final answer on a verzoek in onderzoek. OP274 and OP346:
/// "binnen 8 weken na dagtekening van het verzoek" — calendar weeks counted
/// from the verzoek's dagtekening, where the same rules count the first
/// answer in werkdagen after receipt ("binnen 5 werkdagen").
fn einde_onderzoek(dagtekening: NaiveDate) -> NaiveDate {
    dagtekening + chrono::Days::new(8 * 7)
}

/// Deadline subject of the first answer (WMO301 or WMO319) on a verzoek.
fn onderwerp(a: &str, referentie: &str) -> String {
    format!("verzoek:{a}:{referentie}")
}

/// Deadline subject of the final answer on a verzoek in onderzoek.
fn onderwerp_onderzoek(a: &str, referentie: &str) -> String {
    format!("onderzoek:{a}:{referentie}")
}

/// Who judges a verzoek.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Beoordeling {
    /// The check on receipt: whatever needs judgement goes into onderzoek.
    Automatisch,
    /// A person deciding a verzoek in onderzoek: their grant settles what
    /// only a person can judge (an omvang not comparable with the
    /// beschikking's intensiteit), never what the law or the contract rules
    /// out (no beschikking, beyond its duur or intensiteit, no contract,
    /// another gemeente, stapeling).
    DoorPersoon,
}

/// The received verzoek an answer is about.
struct Ontvangen<'a> {
    g: &'a Gemeente,
    a: &'a AgbCode,
    /// Message id of the verzoek.
    id: i64,
    /// Its answer deadlines' rule: [`OP274`] or [`OP346`].
    regel: &'static str,
    /// Its dagtekening (the final answer counts from it).
    dagtekening: NaiveDate,
}

impl<'a> Ontvangen<'a> {
    /// The verzoek received with header `h` as message `id`, answered under `regel`.
    fn van(h: &'a bericht::Header<AgbCode, Gemeente>, id: i64, regel: &'static str) -> Self {
        Ontvangen {
            g: &h.ontvanger,
            a: &h.afzender,
            id,
            regel,
            dagtekening: h.bericht_identificatie.dagtekening,
        }
    }
}

/// What a verzoek asks for one product: the common part of a WMO315
/// AangevraagdProduct and a WMO317 NieuwProduct.
pub(super) struct Aanvraag<'a> {
    /// Product (absent: a generieke aanvraag).
    pub product: Option<&'a Product>,
    /// Requested ingangsdatum.
    pub ingang: NaiveDate,
    /// Requested einddatum.
    pub eind: Option<NaiveDate>,
    /// Requested omvang.
    pub omvang: Option<&'a Omvang>,
    /// Requested budget (eurocents).
    pub budget: Option<Budget>,
}

/// Why a verzoek is not granted automatically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Weigering {
    /// Refused: WMO319 VerzoekAntwoord 1 with this reden; the text says why.
    Afwijzen(RedenAfwijzingVerzoek, String),
    /// A person must decide: WMO319 VerzoekAntwoord 2.
    Onderzoek(String),
}

use RedenAfwijzingVerzoek as Reden;
use Weigering::{Afwijzen, Onderzoek};

/// A grant: the toewijzing to store, with its beschikking and lot.
#[derive(Debug, Clone)]
pub(super) struct Toekenning {
    region_id: String,
    lot_id: String,
    beschikking: dom::Beschikking,
    product: dom::ProductRef,
    scope: dom::Scope,
    period: dom::Period,
}

/// A stored toewijzing as a WMO317 may change it.
struct Bestaand {
    region_id: String,
    lot_id: String,
    toewijzing: dom::Toewijzing,
}

/// One change a granted WMO317 makes.
enum Actie {
    /// Store the toewijzing with a new period and scope (same ToewijzingNummer).
    Wijzig(Bestaand),
    /// A new toewijzing.
    Nieuw(String, Toekenning),
}

/// The domain omvang of an iWmo omvang (same code lists WJ756/WMO757).
fn dom_omvang(o: &Omvang) -> Option<dom::Omvang> {
    Some(dom::Omvang {
        volume: o.volume.get(),
        unit: dom::Unit::from_code(o.eenheid.code())?,
        frequentie: dom::Frequentie::from_code(o.frequentie.code())?,
    })
}

fn omvang_text(o: &dom::Omvang) -> String {
    let per = match o.frequentie {
        dom::Frequentie::PerDag => "per dag",
        dom::Frequentie::PerWeek => "per week",
        dom::Frequentie::PerMaand => "per maand",
        dom::Frequentie::Totaal => "in totaal",
    };
    format!("{} {} {per}", o.volume, o.unit.label())
}

/// The requested omvang checked against the beschikking's intensiteit.
fn binnen_intensiteit(
    gevraagd: &dom::Omvang,
    b: &dom::Beschikking,
    wie: Beoordeling,
) -> std::result::Result<(), Weigering> {
    match b.intensiteit {
        Some(bi) if bi.unit == gevraagd.unit && bi.frequentie == gevraagd.frequentie => {
            if gevraagd.volume > bi.volume {
                // The beschikking decides the intensiteit: more is not granted
                // without a new decision.
                return Err(Afwijzen(
                    Reden::ZorginhoudelijkeAfkeur,
                    format!(
                        "omvang {} boven de beschikte {} (beschikking {})",
                        omvang_text(gevraagd),
                        omvang_text(&bi),
                        b.id
                    ),
                ));
            }
            Ok(())
        }
        // Another unit or frequency: a person judged that it fits.
        Some(_) if wie == Beoordeling::DoorPersoon => Ok(()),
        Some(bi) => Err(Onderzoek(format!(
            "omvang {} niet te vergelijken met de beschikte {} (beschikking {})",
            omvang_text(gevraagd),
            omvang_text(&bi),
            b.id
        ))),
        None => Ok(()),
    }
}

/// Checks one requested product against residence, contracts and
/// beschikkingen. Stapeling is checked when the toewijzing is stored.
async fn beoordeel(
    c: &mut AnyConnection,
    g: &str,
    a: &str,
    bsn: &str,
    v: &Aanvraag<'_>,
    wie: Beoordeling,
) -> Result<std::result::Result<Toekenning, Weigering>> {
    let Some(product) = v.product else {
        return Ok(Err(Onderzoek(match wie {
            Beoordeling::Automatisch => {
                "generieke aanvraag zonder product: de toegang beoordeelt het budget".into()
            }
            // Toewijzingen here always name a product (the lot, contract and
            // beschikking checks hang on it): a person can only refuse.
            Beoordeling::DoorPersoon => {
                "een generieke aanvraag (zonder product) wordt hier niet toegewezen; wijs het verzoek af".into()
            }
        })));
    };
    let code = product.code.as_ref().map_or("", |c| c.as_str());
    let wat = if code.is_empty() {
        format!("productcategorie {}", product.categorie.code())
    } else {
        format!("product {code}")
    };
    // OP307: a VOT is only sent for a client with an open beschikking. An
    // unknown client has none; the code list has no dedicated reden, and 7
    // (zorginhoudelijke afkeur) says the care was not decided for them.
    let residences: Vec<(String, String)> = sqlx::query_as(
        "SELECT from_date, gemeente FROM residences WHERE bsn = $1 ORDER BY from_date",
    )
    .bind(bsn)
    .fetch_all(&mut *c)
    .await?;
    if residences.is_empty() {
        return Ok(Err(Afwijzen(
            Reden::ZorginhoudelijkeAfkeur,
            format!("geen beschikking: cliënt {bsn} is bij de gemeente niet bekend"),
        )));
    }
    // Woonplaatsbeginsel: the gemeente of residence on the ingangsdatum
    // decides. In the Wmo that refusal is reden 5 "andere gemeente" (reden 8
    // is for the Jeugdwet only; veelgestelde vragen iWmo 3.2).
    let ingang = date_str(v.ingang);
    let woont = residences
        .iter()
        .rev()
        .find(|(from, _)| *from <= ingang)
        .unwrap_or(&residences[0])
        .1
        .clone();
    if woont != g {
        return Ok(Err(Afwijzen(
            Reden::AndereGemeente,
            format!("cliënt woont op {} in gemeente {woont}", v.ingang),
        )));
    }
    // The product must be on a lot of the gemeente's region.
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT p.region_id, p.lot_id, l.funding FROM municipalities m \
         JOIN products p ON p.region_id = m.region_id \
         JOIN lots l ON l.region_id = p.region_id AND l.id = p.lot_id \
         WHERE m.code = $1 AND p.categorie = $2 AND ($3 = '' OR p.productcode = $4) \
         ORDER BY p.region_id, p.lot_id, p.product_key",
    )
    .bind(g)
    .bind(product.categorie.code())
    .bind(code)
    .bind(code)
    .fetch_all(&mut *c)
    .await?;
    if rows.is_empty() {
        return Ok(Err(Afwijzen(
            Reden::PastNietBinnenContract,
            format!("{wat} is in de regio van gemeente {g} niet ingekocht"),
        )));
    }
    let mut lots: Vec<(String, String)> = Vec::new();
    for (region, lot, funding) in &rows {
        let f: dom::FundingVariant =
            serde_json::from_str(funding).map_err(|e| corrupt("lots", "funding", e))?;
        if f != dom::FundingVariant::Taakgericht && !lots.contains(&(region.clone(), lot.clone())) {
            lots.push((region.clone(), lot.clone()));
        }
    }
    if lots.is_empty() {
        // OP086: only inspannings- and outputgerichte products are assigned
        // per client; a taakgericht lot's lumpsum covers the care (OP296: the
        // verzoek must fit the contract).
        return Ok(Err(Afwijzen(
            Reden::PastNietBinnenContract,
            format!("{wat} valt onder een taakgericht perceel: geen toewijzing per cliënt (OP086)"),
        )));
    }
    // The aanbieder needs a contract on the lot on the ingangsdatum (for an
    // open house: admitted in an entry window).
    let mut gekozen = None;
    for (region, lot) in &lots {
        let found: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM contracts WHERE region_id = $1 AND lot_id = $2 AND addressee_agb = $3 AND start_date <= $4 AND max_end_date >= $5 LIMIT 1",
        )
        .bind(region)
        .bind(lot)
        .bind(a)
        .bind(&ingang)
        .bind(&ingang)
        .fetch_optional(&mut *c)
        .await?;
        if found.is_some() {
            gekozen = Some((region.clone(), lot.clone()));
            break;
        }
    }
    let Some((region_id, lot_id)) = gekozen else {
        return Ok(Err(Afwijzen(
            Reden::GeenContract,
            format!(
                "aanbieder {a} heeft op {} geen contract voor perceel {}",
                v.ingang,
                lots.iter()
                    .map(|l| l.1.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )));
    };
    // A beschikking of the client for this product whose duur holds the period.
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM beschikkingen WHERE bsn = $1 AND region_id = $2 AND categorie = $3 ORDER BY duur_start, id",
    )
    .bind(bsn)
    .bind(&region_id)
    .bind(product.categorie.code())
    .fetch_all(&mut *c)
    .await?;
    let mut passend = Vec::new();
    for (id,) in ids {
        let b = load_beschikking(c, &id).await?;
        // A specific beschikking allows only its product; one at category
        // level allows every product of the category.
        if b.product.code.is_none()
            || b.product.code.map(|x| x.to_string()).as_deref() == Some(code)
        {
            passend.push(b);
        }
    }
    if passend.is_empty() {
        return Ok(Err(Afwijzen(
            Reden::ZorginhoudelijkeAfkeur,
            format!("geen beschikking voor {wat} (OP307: een verzoek om toewijzing volgt op een beschikking)"),
        )));
    }
    let Some(b) = passend.iter().find(|b| b.duur.contains(v.ingang)).cloned() else {
        return Ok(Err(Afwijzen(
            Reden::ZorginhoudelijkeAfkeur,
            format!(
                "ingangsdatum {} valt buiten de duur van beschikking(en) {}",
                v.ingang,
                passend
                    .iter()
                    .map(|b| format!("{} ({})", b.id, b.duur))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )));
    };
    // IV094: the gemeente sets the toewijzing's dates; an open-ended request
    // ends with the beschikking.
    let Ok(period) = dom::Period::new(v.ingang, v.eind.or(b.duur.end())) else {
        return Ok(Err(Onderzoek("einddatum voor ingangsdatum".into())));
    };
    if !b.duur.covers(&period) {
        return Ok(Err(Afwijzen(
            Reden::ZorginhoudelijkeAfkeur,
            format!(
                "periode {period} valt buiten beschikking {} ({})",
                b.id, b.duur
            ),
        )));
    }
    let scope = match (v.omvang, v.budget) {
        (Some(o), _) => {
            let Some(o) = dom_omvang(o) else {
                return Ok(Err(Onderzoek(format!(
                    "omvang met eenheid {} is geen omvang van een toewijzing",
                    o.eenheid.code()
                ))));
            };
            if let Err(w) = binnen_intensiteit(&o, &b, wie) {
                return Ok(Err(w));
            }
            dom::Scope::Volume(o)
        }
        (None, Some(budget)) if b.intensiteit.is_none() => {
            dom::Scope::Budget(dom::Money::from_cents(i64::from(budget.get())))
        }
        (None, Some(_)) => {
            return Ok(Err(Onderzoek(format!(
                "budget gevraagd, beschikking {} geeft een omvang",
                b.id
            ))))
        }
        // The gemeente fills in the omvang (IV094): what the beschikking gives.
        (None, None) => b
            .intensiteit
            .map_or(dom::Scope::Unspecified, dom::Scope::Volume),
    };
    let product = dom::ProductRef {
        categorie: product
            .categorie
            .code()
            .parse()
            .map_err(|e| corrupt("products", "categorie", e))?,
        code: if code.is_empty() {
            None
        } else {
            Some(
                code.parse()
                    .map_err(|e| corrupt("products", "productcode", e))?,
            )
        },
    };
    Ok(Ok(Toekenning {
        region_id,
        lot_id,
        beschikking: b,
        product,
        scope,
        period,
    }))
}

/// Stores a granted toewijzing; stapeling (OP259) or a beschikking mismatch
/// turns into a refusal instead of an error. `actor` is who decided.
#[allow(clippy::too_many_arguments)]
async fn toewijzen(
    c: &mut AnyConnection,
    backend: crate::Backend,
    g: &str,
    a: &str,
    bsn: &str,
    id: &str,
    t: Toekenning,
    actor: &str,
) -> Result<std::result::Result<(), Weigering>> {
    let row = ToewijzingRow {
        toewijzing: dom::Toewijzing {
            id: id.to_string(),
            beschikking_id: t.beschikking.id.clone(),
            client: bsn.parse().map_err(|e| corrupt("clients", "bsn", e))?,
            provider: a
                .parse()
                .map_err(|e| corrupt("contracts", "addressee_agb", e))?,
            product: t.product,
            scope: t.scope,
            period: t.period,
            reden_wijziging: None,
        },
        lot_id: t.lot_id,
        gemeente: g
            .parse()
            .map_err(|e| corrupt("municipalities", "code", e))?,
    };
    match add_toewijzing_in(c, backend, &t.region_id, &row, &t.beschikking, actor).await {
        Ok(()) => Ok(Ok(())),
        Err(StoreError::Care(dom::CareError::Overlap { existing, .. })) => Ok(Err(Afwijzen(
            Reden::Stapeling,
            format!("overlapt met toewijzing {existing} voor hetzelfde product (OP259, OP347)"),
        ))),
        Err(StoreError::Care(e)) => Ok(Err(Onderzoek(e.to_string()))),
        Err(e) => Err(e),
    }
}

/// Reads a stored toewijzing with what is needed to change it.
async fn bestaand(c: &mut AnyConnection, id: &str) -> Result<Option<Bestaand>> {
    let t = "toewijzingen";
    let Some(r) = sqlx::query(
        "SELECT id, region_id, beschikking_id, bsn, provider_agb, lot_id, categorie, productcode, gemeente, scope_kind, volume, unit, frequentie, budget_cents, start_date, end_date, reden_wijziging FROM toewijzingen WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?
    else {
        return Ok(None);
    };
    let scope = match r.try_get::<String, _>(9)?.as_str() {
        "volume" => {
            let v: i64 = r.try_get(10)?;
            let u: String = r.try_get(11)?;
            let f: String = r.try_get(12)?;
            dom::Scope::Volume(dom::Omvang {
                volume: u32::try_from(v).map_err(|e| corrupt(t, "volume", e))?,
                unit: dom::Unit::from_code(&u).ok_or_else(|| corrupt(t, "unit", &u))?,
                frequentie: dom::Frequentie::from_code(&f)
                    .ok_or_else(|| corrupt(t, "frequentie", &f))?,
            })
        }
        "budget" => dom::Scope::Budget(dom::Money::from_cents(r.try_get(13)?)),
        _ => dom::Scope::Unspecified,
    };
    let start = parse_date(t, "start_date", &r.try_get::<String, _>(14)?)?;
    let end = r
        .try_get::<Option<String>, _>(15)?
        .map(|e| parse_date(t, "end_date", &e))
        .transpose()?;
    Ok(Some(Bestaand {
        region_id: r.try_get(1)?,
        lot_id: r.try_get(5)?,
        toewijzing: dom::Toewijzing {
            id: r.try_get(0)?,
            beschikking_id: r.try_get(2)?,
            client: r
                .try_get::<String, _>(3)?
                .parse()
                .map_err(|e| corrupt(t, "bsn", e))?,
            provider: r
                .try_get::<String, _>(4)?
                .parse()
                .map_err(|e| corrupt(t, "provider_agb", e))?,
            product: dom::ProductRef {
                categorie: r
                    .try_get::<String, _>(6)?
                    .parse()
                    .map_err(|e| corrupt(t, "categorie", e))?,
                code: r
                    .try_get::<Option<String>, _>(7)?
                    .map(|c| c.parse().map_err(|e| corrupt(t, "productcode", e)))
                    .transpose()?,
            },
            scope,
            period: dom::Period::new(start, end).map_err(|e| corrupt(t, "end_date", e))?,
            reden_wijziging: r
                .try_get::<Option<i64>, _>(16)?
                .map(|x| u8::try_from(x).map(dom::RedenWijziging))
                .transpose()
                .map_err(|e| corrupt(t, "reden_wijziging", e))?,
        },
    }))
}

/// WMO002 reden 12 "geïnitieerd door de aanbieder": a toewijzing changed on a
/// verzoek om wijziging (IV093).
const DOOR_AANBIEDER: dom::RedenWijziging = dom::RedenWijziging(12);

/// Decides a WMO317 as a whole (OP344) and, when it fits, applies its
/// changes. Returns the ids of the toewijzingen changed or created. `actor`
/// is who decided.
#[allow(clippy::too_many_arguments)]
async fn wijzig(
    c: &mut AnyConnection,
    backend: crate::Backend,
    g: &str,
    a: &str,
    bsn: &str,
    v: &regie_iwmo::model::Verzoek,
    referentie: &str,
    wie: Beoordeling,
    actor: &str,
) -> Result<std::result::Result<HashSet<String>, Weigering>> {
    // Only toewijzingen this store sent can be changed by it.
    let mut stored = std::collections::HashMap::new();
    for n in v.genoemde_toewijzingnummers() {
        let tid: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT toewijzing_id FROM iwmo_toewijzingen WHERE gemeente = $1 AND nummer = $2",
        )
        .bind(g)
        .bind(i64::from(n))
        .fetch_optional(&mut *c)
        .await?;
        match tid.and_then(|t| t.0) {
            Some(tid) => {
                stored.insert(n, tid);
            }
            None => {
                return Ok(Err(Onderzoek(format!(
                    "toewijzing {n} is niet vanuit deze administratie toegewezen"
                ))))
            }
        }
    }
    // Decide everything before changing anything: the verzoek is granted or
    // refused as a whole (OP344, IV093).
    let mut acties = Vec::new();
    for (k, p) in v.te_wijzigen_producten.iter().enumerate() {
        let n = p.toewijzing_nummer.get();
        let Some(mut orig) = bestaand(c, &stored[&n]).await? else {
            return Ok(Err(Onderzoek(format!("toewijzing {n} niet gevonden"))));
        };
        let b = load_beschikking(c, &orig.toewijzing.beschikking_id).await?;
        let start = orig.toewijzing.period.start();
        let nieuw_omvang = match p.omvang.as_ref().map(dom_omvang) {
            Some(None) => {
                return Ok(Err(Onderzoek(format!(
                    "omvang voor toewijzing {n} is geen omvang van een toewijzing"
                ))))
            }
            Some(Some(o)) => Some(o),
            None => None,
        };
        // OP033x1, OP257, OP380: the einddatum may move and a budget or a
        // "totaal binnen geldigheidsduur" volume may change on the same
        // toewijzing; any other omvang change ends it and starts a new one.
        let scope = match (orig.toewijzing.scope, nieuw_omvang, p.budget) {
            (dom::Scope::Volume(o), Some(nw), _) if o != nw => {
                if let Err(w) = binnen_intensiteit(&nw, &b, wie) {
                    return Ok(Err(w));
                }
                if nw.frequentie == dom::Frequentie::Totaal
                    && o.frequentie == dom::Frequentie::Totaal
                {
                    dom::Scope::Volume(nw)
                } else if p.gewenste_ingangsdatum > start {
                    // IV093: end the current one the day before, a new one from the wish date.
                    let dag_ervoor = p.gewenste_ingangsdatum.pred_opt().expect("date in range");
                    let Ok(nieuw) = dom::Period::new(p.gewenste_ingangsdatum, p.einddatum) else {
                        return Ok(Err(Onderzoek("einddatum voor ingangsdatum".into())));
                    };
                    if !b.duur.covers(&nieuw) {
                        return Ok(Err(Afwijzen(
                            Reden::ZorginhoudelijkeAfkeur,
                            format!(
                                "periode {nieuw} valt buiten beschikking {} ({})",
                                b.id, b.duur
                            ),
                        )));
                    }
                    let toekenning = Toekenning {
                        region_id: orig.region_id.clone(),
                        lot_id: orig.lot_id.clone(),
                        beschikking: b.clone(),
                        product: orig.toewijzing.product,
                        scope: dom::Scope::Volume(nw),
                        period: nieuw,
                    };
                    orig.toewijzing.period = dom::Period::new(start, Some(dag_ervoor))
                        .map_err(|e| corrupt("toewijzingen", "start_date", e))?;
                    orig.toewijzing.reden_wijziging = Some(DOOR_AANBIEDER);
                    acties.push(Actie::Wijzig(orig));
                    acties.push(Actie::Nieuw(
                        format!("VOW-{a}-{referentie}-{}", k + 1),
                        toekenning,
                    ));
                    continue;
                } else if wie == Beoordeling::Automatisch {
                    // A new omvang over the whole period touches care already
                    // delivered and declared (OP345, OP362): a person decides.
                    return Ok(Err(Onderzoek(format!(
                        "omvang van toewijzing {n} gewijzigd vanaf de ingangsdatum: rechtmatigheid geleverde zorg beoordelen"
                    ))));
                } else {
                    // IV093 would remove the toewijzing (reden 13, only without
                    // loss of rechtmatigheid, OP362) and start a new one on the
                    // same day; that is not done here.
                    return Ok(Err(Onderzoek(format!(
                        "omvang van toewijzing {n} gewijzigd vanaf haar ingangsdatum: dat vraagt verwijderen en opnieuw toewijzen (IV093, OP362), wat hier niet gebeurt; wijs af, bijvoorbeeld met reden 1 (geen wijziging, maar nieuwe aanvraag)"
                    ))));
                }
            }
            (dom::Scope::Volume(o), _, None) => dom::Scope::Volume(o),
            // OP299: lowering a budget on the aanbieder's own verzoek needs no consultation.
            (dom::Scope::Budget(_), None, Some(nb)) => {
                dom::Scope::Budget(dom::Money::from_cents(i64::from(nb.get())))
            }
            (dom::Scope::Budget(m), None, None) => dom::Scope::Budget(m),
            (dom::Scope::Unspecified, None, None) => dom::Scope::Unspecified,
            _ => {
                return Ok(Err(Onderzoek(format!(
                    "toewijzing {n}: soort omvang of budget gewijzigd"
                ))))
            }
        };
        let Ok(period) = dom::Period::new(start, p.einddatum) else {
            return Ok(Err(Onderzoek(format!(
                "toewijzing {n}: einddatum voor ingangsdatum"
            ))));
        };
        if !b.duur.covers(&period) {
            return Ok(Err(Afwijzen(
                Reden::ZorginhoudelijkeAfkeur,
                format!(
                    "periode {period} valt buiten beschikking {} ({})",
                    b.id, b.duur
                ),
            )));
        }
        if period == orig.toewijzing.period && scope == orig.toewijzing.scope {
            continue; // nothing changes for this one
        }
        orig.toewijzing.period = period;
        orig.toewijzing.scope = scope;
        orig.toewijzing.reden_wijziging = Some(DOOR_AANBIEDER);
        acties.push(Actie::Wijzig(orig));
    }
    for (k, p) in v.nieuwe_producten.iter().enumerate() {
        let aanvraag = Aanvraag {
            product: p.product.as_ref(),
            ingang: p.gewenste_ingangsdatum,
            eind: p.einddatum,
            omvang: p.omvang.as_ref(),
            budget: p.budget,
        };
        match beoordeel(c, g, a, bsn, &aanvraag, wie).await? {
            Ok(t) => acties.push(Actie::Nieuw(format!("VOW-{a}-{referentie}-N{}", k + 1), t)),
            Err(w) => return Ok(Err(w)),
        }
    }
    // Apply in order: shortenings first, so a continuation does not clash.
    let mut touched = HashSet::new();
    for actie in acties {
        match actie {
            Actie::Wijzig(w) => {
                let t = &w.toewijzing;
                if let Some(existing) = clash(c, t, Some(&t.id)).await? {
                    return Ok(Err(Afwijzen(
                        Reden::Stapeling,
                        format!("{} zou overlappen met toewijzing {existing} (OP259)", t.id),
                    )));
                }
                let (kind, volume, unit, freq, budget) = match t.scope {
                    dom::Scope::Volume(o) => (
                        "volume",
                        Some(i64::from(o.volume)),
                        Some(o.unit.code()),
                        Some(o.frequentie.code()),
                        None,
                    ),
                    dom::Scope::Budget(m) => ("budget", None, None, None, Some(m.cents())),
                    dom::Scope::Unspecified => ("unspecified", None, None, None, None),
                };
                sqlx::query("UPDATE toewijzingen SET start_date = $1, end_date = $2, scope_kind = $3, volume = $4, unit = $5, frequentie = $6, budget_cents = $7, reden_wijziging = $8 WHERE id = $9")
                    .bind(date_str(t.period.start()))
                    .bind(t.period.end().map(date_str))
                    .bind(kind)
                    .bind(volume)
                    .bind(unit)
                    .bind(freq)
                    .bind(budget)
                    .bind(t.reden_wijziging.map(|r| i32::from(r.0)))
                    .bind(&t.id)
                    .execute(&mut *c)
                    .await?;
                crate::audit::record_tx(
                    c,
                    actor,
                    "toewijzing.wijzig",
                    &format!("toewijzing/{}", t.id),
                    &format!("{} op verzoek {a}/{referentie}", t.period),
                )
                .await?;
                touched.insert(t.id.clone());
            }
            Actie::Nieuw(id, t) => match toewijzen(c, backend, g, a, bsn, &id, t, actor).await? {
                Ok(()) => {
                    touched.insert(id);
                }
                Err(w) => return Ok(Err(w)),
            },
        }
    }
    Ok(Ok(touched))
}

/// A WMO319 antwoordbericht from `g` to `a` with identificatie `RG{aid}`.
fn wmo319(
    g: &Gemeente,
    a: &AgbCode,
    aid: i64,
    today: NaiveDate,
    referentie: &str,
    antwoord: VerzoekAntwoord,
    reden: Option<RedenAfwijzingVerzoek>,
) -> Result<Bericht> {
    Ok(Bericht::Wmo319(bericht::Wmo319 {
        header: bericht::Header {
            afzender: g.clone(),
            ontvanger: a.clone(),
            bericht_identificatie: BerichtIdentificatie {
                identificatie: IdentificatieBericht::new(format!("RG{aid:010}"))
                    .map_err(|e| StoreError::Conflict(e.to_string()))?,
                dagtekening: today,
            },
            xsd_versie: XsdVersie::current(),
        },
        antwoord: Antwoord {
            referentie_aanbieder: Referentie::new(referentie)
                .map_err(|e| StoreError::Conflict(e.to_string()))?,
            verzoek_antwoord: antwoord,
            reden_afwijzing_verzoek: reden,
            retourcodes: vec![],
        },
    }))
}

/// Records on the verzoek row who granted it when.
async fn toegekend(
    c: &mut AnyConnection,
    a: &str,
    referentie: &str,
    door: &str,
    today: NaiveDate,
) -> Result<()> {
    sqlx::query(
        "UPDATE iwmo_verzoeken SET beslist_door = $1, beslist_op = $2 WHERE aanbieder = $3 AND referentie = $4",
    )
    .bind(door)
    .bind(date_str(today))
    .bind(a)
    .bind(referentie)
    .execute(&mut *c)
    .await?;
    Ok(())
}

impl Store {
    /// Registers a verzoek (so a WMO301 answering it passes TR379).
    async fn verzoek_registreren(
        c: &mut AnyConnection,
        g: &str,
        a: &str,
        bsn: &str,
        referentie: &str,
        id: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO iwmo_verzoeken (aanbieder, referentie, gemeente, bsn, antwoorden, toegewezen, message_id) VALUES ($1,$2,$3,$4,'',0,$5)")
            .bind(a)
            .bind(referentie)
            .bind(g)
            .bind(bsn)
            .bind(id)
            .execute(&mut *c)
            .await?;
        Ok(())
    }

    /// Answers a verzoek with a WMO319 (afgewezen or in onderzoek), records
    /// the answer and why (verzoek row and audit), marks the first answer's
    /// deadline fulfilled and, in onderzoek, tracks the final answer's (OP274/OP346).
    async fn antwoord_319(
        c: &mut AnyConnection,
        v: &Ontvangen<'_>,
        referentie: &str,
        w: &Weigering,
        today: NaiveDate,
        next_id: &mut i64,
        answers: &mut Vec<(i64, Bericht)>,
    ) -> Result<()> {
        let (g, a) = (v.g, v.a);
        let aid = *next_id;
        *next_id += 1;
        let (antwoord, reden, waarom) = match w {
            Afwijzen(r, why) => (VerzoekAntwoord::Afgewezen, Some(*r), why),
            Onderzoek(why) => (VerzoekAntwoord::InOnderzoek, None, why),
        };
        // A refusal is the final answer; onderzoek leaves it to a person.
        let onderzoek = matches!(w, Onderzoek(_));
        sqlx::query(
            "UPDATE iwmo_verzoeken SET antwoorden = $1, onderzoek_reden = $2, reden_afwijzing = $3, toelichting = $4, beslist_door = $5, beslist_op = $6 WHERE aanbieder = $7 AND referentie = $8",
        )
        .bind(antwoord.code())
        .bind(onderzoek.then(|| waarom.clone()))
        .bind(reden.map(|r| r.code()))
        .bind((!onderzoek).then(|| waarom.clone()))
        .bind((!onderzoek).then_some(ACTOR))
        .bind((!onderzoek).then(|| date_str(today)))
        .bind(a.as_str())
        .bind(referentie)
        .execute(&mut *c)
        .await?;
        crate::audit::record_tx(
            c,
            ACTOR,
            match w {
                Afwijzen(..) => "verzoek.afgewezen",
                Onderzoek(_) => "verzoek.onderzoek",
            },
            &format!("verzoek/{a}/{referentie}"),
            &match reden {
                Some(r) => format!("reden {} ({r:?}): {waarom}", r.code()),
                None => waarom.clone(),
            },
        )
        .await?;
        add_deadline(
            c,
            v.regel,
            &onderwerp(a.as_str(), referentie),
            g.as_str(),
            a.as_str(),
            "gemeente",
            Some(v.id),
            add_werkdagen(today, 5),
            Some((today, aid)),
        )
        .await?;
        if onderzoek {
            add_deadline(
                c,
                v.regel,
                &onderwerp_onderzoek(a.as_str(), referentie),
                g.as_str(),
                a.as_str(),
                "gemeente",
                Some(v.id),
                einde_onderzoek(v.dagtekening),
                None,
            )
            .await?;
        }
        answers.push((aid, wmo319(g, a, aid, today, referentie, antwoord, reden)?));
        Ok(())
    }

    /// Builds, validates and applies the WMO301 that answers a granted
    /// verzoek, with id `aid`: all toewijzingen of the client at the
    /// aanbieder valid today plus those changed since the last WMO301
    /// (OP087). `Ok(Err(why))` when it cannot be sent.
    #[allow(clippy::too_many_arguments)]
    async fn antwoord_301(
        c: &mut AnyConnection,
        g: &str,
        a: &str,
        bsn: &str,
        now: NaiveDateTime,
        aid: i64,
        touched: &HashSet<String>,
        referentie: &dyn Fn(&str) -> Option<Referentie>,
    ) -> Result<std::result::Result<Bericht, String>> {
        let today = now.date();
        let rows = sqlx::query(&format!(
            "SELECT {} FROM toewijzingen t JOIN clients c ON c.bsn = t.bsn JOIN lots l ON l.region_id = t.region_id AND l.id = t.lot_id \
             WHERE t.gemeente = $1 AND t.provider_agb = $2 AND t.bsn = $3 AND l.funding NOT LIKE '%taakgericht%' ORDER BY t.start_date, t.id",
            bericht301::COLS
        ))
        .bind(g)
        .bind(a)
        .bind(bsn)
        .fetch_all(&mut *c)
        .await?;
        let selectie = Selectie::Antwoord { today, touched };
        let Some(p) = bericht301::producten(c, g, &rows, now, &selectie, referentie).await? else {
            return Ok(Err("geen toewijzing om te sturen".into()));
        };
        // No WMO301 with placeholder names or addresses: without the client's
        // personal data a person must complete them first.
        let Some(persoon) = bericht301::persoonsgegevens(c, bsn).await? else {
            return Ok(Err(format!(
                "toegekend, maar van cliënt {bsn} zijn geen persoonsgegevens (naam, geslacht, adres) opgeslagen voor de toewijzing"
            )));
        };
        let client = bericht301::client(bsn, p.birth, &persoon, p.producten)?;
        let m = bericht301::wmo301(g, a, aid, today, client)?;
        let b = Bericht::Wmo301(m);
        let report = bericht301::valideer(c, &b, g, aid, p.variant).await?;
        if !report.is_ok() {
            return Ok(Err(format!(
                "eigen WMO301 voldoet niet: {}",
                report.to_string().trim_end()
            )));
        }
        let Bericht::Wmo301(m) = &b else {
            unreachable!("built as WMO301")
        };
        apply_301(c, m, &p.ids, aid, today).await?;
        Ok(Ok(b))
    }

    /// Decides an accepted WMO315, product by product (OP344), and answers
    /// each: granted ones together in one WMO301, the others with a WMO319.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn verzoek_om_toewijzing(
        &self,
        c: &mut AnyConnection,
        m: &bericht::Wmo315,
        id: i64,
        now: NaiveDateTime,
        next_id: &mut i64,
        answers: &mut Vec<(i64, Bericht)>,
    ) -> Result<()> {
        let today = now.date();
        let (g, a) = (&m.header.ontvanger, &m.header.afzender);
        let bsn = m.client.bsn.as_str();
        let ontvangen = Ontvangen::van(&m.header, id, OP274);
        for ap in &m.client.aangevraagde_producten {
            Self::verzoek_registreren(
                c,
                g.as_str(),
                a.as_str(),
                bsn,
                ap.referentie_aanbieder.as_str(),
                id,
            )
            .await?;
        }
        let mut uitkomst: Vec<Option<Weigering>> = Vec::new();
        let mut sp = sqlx::Connection::begin(&mut *c).await?;
        let mut granted: Vec<(String, Referentie)> = Vec::new();
        for ap in &m.client.aangevraagde_producten {
            let aanvraag = Aanvraag {
                product: ap.product.as_ref(),
                ingang: ap.toewijzing_ingangsdatum,
                eind: ap.toewijzing_einddatum,
                omvang: ap.omvang.as_ref(),
                budget: ap.budget,
            };
            let r = ap.referentie_aanbieder.as_str();
            // The id is unique: a ReferentieAanbieder is used once per aanbieder (OP361, TR347).
            let tid = format!("VOT-{a}-{r}");
            let w = match beoordeel(
                &mut sp,
                g.as_str(),
                a.as_str(),
                bsn,
                &aanvraag,
                Beoordeling::Automatisch,
            )
            .await?
            {
                Ok(t) => toewijzen(
                    &mut sp,
                    self.backend,
                    g.as_str(),
                    a.as_str(),
                    bsn,
                    &tid,
                    t,
                    ACTOR,
                )
                .await?
                .err(),
                Err(w) => Some(w),
            };
            if w.is_none() {
                granted.push((tid, ap.referentie_aanbieder.clone()));
            }
            uitkomst.push(w);
        }
        let aid = *next_id;
        let sent = if granted.is_empty() {
            None
        } else {
            let touched: HashSet<String> = granted.iter().map(|(t, _)| t.clone()).collect();
            // IV094/IV097: a granted product carries the ReferentieAanbieder of
            // its AangevraagdProduct; the other current toewijzingen none.
            let referentie = |tid: &str| {
                granted
                    .iter()
                    .find(|(t, _)| t == tid)
                    .map(|(_, r)| r.clone())
            };
            Some(
                Self::antwoord_301(
                    &mut sp,
                    g.as_str(),
                    a.as_str(),
                    bsn,
                    now,
                    aid,
                    &touched,
                    &referentie,
                )
                .await?,
            )
        };
        match sent {
            Some(Ok(b)) => {
                sp.commit().await?;
                *next_id += 1;
                for (_, r) in &granted {
                    add_deadline(
                        c,
                        OP274,
                        &onderwerp(a.as_str(), r.as_str()),
                        g.as_str(),
                        a.as_str(),
                        "gemeente",
                        Some(id),
                        add_werkdagen(today, 5),
                        Some((today, aid)),
                    )
                    .await?;
                    toegekend(c, a.as_str(), r.as_str(), ACTOR, today).await?;
                }
                answers.push((aid, b));
            }
            Some(Err(why)) => {
                sp.rollback().await?;
                for w in uitkomst.iter_mut().filter(|w| w.is_none()) {
                    *w = Some(Onderzoek(why.clone()));
                }
            }
            None => sp.rollback().await?,
        }
        for (ap, w) in m.client.aangevraagde_producten.iter().zip(&uitkomst) {
            if let Some(w) = w {
                Self::antwoord_319(
                    c,
                    &ontvangen,
                    ap.referentie_aanbieder.as_str(),
                    w,
                    today,
                    next_id,
                    answers,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Decides an accepted WMO317 as a whole (OP344) and answers it: a WMO301
    /// with the changed and all other current toewijzingen, every one with the
    /// verzoek's ReferentieAanbieder (IV093), or one WMO319.
    pub(super) async fn verzoek_om_wijziging(
        &self,
        c: &mut AnyConnection,
        m: &bericht::Wmo317,
        id: i64,
        now: NaiveDateTime,
        next_id: &mut i64,
        answers: &mut Vec<(i64, Bericht)>,
    ) -> Result<()> {
        let today = now.date();
        let (g, a) = (&m.header.ontvanger, &m.header.afzender);
        let bsn = m.client.bsn.as_str();
        let v = &m.client.verzoek;
        let r = v.referentie_aanbieder.as_str();
        let ontvangen = Ontvangen::van(&m.header, id, OP346);
        Self::verzoek_registreren(c, g.as_str(), a.as_str(), bsn, r, id).await?;
        let mut sp = sqlx::Connection::begin(&mut *c).await?;
        let aid = *next_id;
        let uitkomst = match wijzig(
            &mut sp,
            self.backend,
            g.as_str(),
            a.as_str(),
            bsn,
            v,
            r,
            Beoordeling::Automatisch,
            ACTOR,
        )
        .await?
        {
            Ok(touched) => {
                let referentie = |_: &str| Some(v.referentie_aanbieder.clone());
                match Self::antwoord_301(
                    &mut sp,
                    g.as_str(),
                    a.as_str(),
                    bsn,
                    now,
                    aid,
                    &touched,
                    &referentie,
                )
                .await?
                {
                    Ok(b) => Ok(b),
                    Err(why) => Err(Onderzoek(why)),
                }
            }
            Err(w) => Err(w),
        };
        match uitkomst {
            Ok(b) => {
                sp.commit().await?;
                *next_id += 1;
                // OP346: the verzoek om wijziging's own answer rule.
                add_deadline(
                    c,
                    OP346,
                    &onderwerp(a.as_str(), r),
                    g.as_str(),
                    a.as_str(),
                    "gemeente",
                    Some(id),
                    add_werkdagen(today, 5),
                    Some((today, aid)),
                )
                .await?;
                toegekend(c, a.as_str(), r, ACTOR, today).await?;
                answers.push((aid, b));
            }
            Err(w) => {
                sp.rollback().await?;
                Self::antwoord_319(c, &ontvangen, r, &w, today, next_id, answers).await?;
            }
        }
        Ok(())
    }
}

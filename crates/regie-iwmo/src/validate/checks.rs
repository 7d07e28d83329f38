//! The checks themselves, per message type. Layer 2 (CD/CS/TR inside the
//! message) needs only the message; layer 3 (cross-message TR) and the
//! process rules read the [`ChainContext`].

use super::rules::{self as r, Rule};
use super::{ChainContext, Options, Sink, Uitvoeringsvariant};
use crate::bericht::{AnyHeader, Bericht, DeclaratieKop, Header, MessageType};
use crate::inline::InlineStr;
use crate::model::*;
use crate::types::*;
use chrono::{Datelike, Months, NaiveDate};
// foldhash (randomly seeded, like std's) instead of SipHash, which was 4%
// of validation time on these short keys.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use Berichtklasse as K;

fn grens_2020() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 12, 31).expect("valid")
}

/// "Einddatum groter dan 31-12-2020 of leeg" (CD080, CS338, …).
fn na_2020(eind: Option<NaiveDate>) -> bool {
    eind.is_none_or(|e| e > grens_2020())
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

fn last_of_month(d: NaiveDate) -> NaiveDate {
    first_of_month(d) + Months::new(1) - chrono::Days::new(1)
}

fn overlaps(a: (NaiveDate, Option<NaiveDate>), b: (NaiveDate, Option<NaiveDate>)) -> bool {
    a.1.is_none_or(|ae| ae >= b.0) && b.1.is_none_or(|be| be >= a.0)
}

/// Product identity for stacking rules (OP259, TR302/386/410): the code if
/// present, else the category; `None` = generic (overlaps with everything).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ProductId {
    Code(String),
    Categorie(ProductCategorie),
}

fn product_id(p: &Option<Product>) -> Option<ProductId> {
    p.as_ref().map(|p| match &p.code {
        Some(c) => ProductId::Code(c.to_string()),
        None => ProductId::Categorie(p.categorie),
    })
}

fn hulpmiddel(p: &Option<Product>) -> bool {
    p.as_ref().is_some_and(|p| p.categorie.is_hulpmiddel())
}

/// Whether two products in overlapping periods count as stacked.
fn stacked(a: &Option<Product>, b: &Option<Product>) -> bool {
    if hulpmiddel(a) || hulpmiddel(b) {
        return false;
    }
    match (product_id(a), product_id(b)) {
        (Some(x), Some(y)) => x == y,
        // An empty category may not overlap with any other product.
        _ => true,
    }
}

fn check_bsn(s: &mut Sink, bsn: &BurgerServicenummer, pad: &[usize]) {
    if let Err(e) = bsn.to_domain() {
        s.fail(r::CS002, K::Client, pad, e.to_string());
    }
}

fn check_geboortedatum(
    s: &mut Sink,
    g: &Geboortedatum,
    dagtekening: NaiveDate,
    k: Berichtklasse,
    pad: &[usize],
) {
    let d = g.datum;
    let consistent = match g.datum_gebruik {
        None => true,
        Some(DatumGebruik::DagOnbekend) => d.day() == 1,
        Some(DatumGebruik::DagEnMaandOnbekend) => d.day() == 1 && d.month() == 1,
        Some(DatumGebruik::Onbekend) => d == NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid"),
    };
    if !consistent {
        s.fail(
            r::CS139,
            k,
            pad,
            format!("Datum {d}, DatumGebruik {:?}", g.datum_gebruik),
        );
    }
    let onbekend = g.datum_gebruik == Some(DatumGebruik::Onbekend);
    if !onbekend
        && dagtekening
            .checked_sub_months(Months::new(120 * 12))
            .is_some_and(|grens| d < grens)
    {
        s.fail(r::TR002, k, pad, format!("Geboortedatum {d}"));
    }
    if d > dagtekening {
        s.fail(
            r::TR134,
            k,
            pad,
            format!("Geboortedatum {d} na Dagtekening {dagtekening}"),
        );
    }
}

fn check_volledige_naam(s: &mut Sink, n: &VolledigeNaam, k: Berichtklasse, pad: &[usize]) {
    use NaamGebruik::*;
    let ok = if n.partnernaam.is_some() {
        matches!(
            n.naam_gebruik,
            EigenNaam | NaamPartner | NaamPartnerEigenNaam | EigenNaamNaamPartner
        )
    } else {
        matches!(n.naam_gebruik, EigenNaam | NietNatuurlijkPersoon)
    };
    if !ok {
        s.fail(r::CS050, k, pad, format!("NaamGebruik {}", n.naam_gebruik));
    }
}

fn dutch_postcode(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() == 6
        && (b'1'..=b'9').contains(&b[0])
        && b[1..4].iter().all(u8::is_ascii_digit)
        && b[4..].iter().all(u8::is_ascii_uppercase)
}

fn check_contact(s: &mut Sink, c: &Contact, pad: &[usize]) {
    let adres = c.adres.as_ref();
    let nl = adres.and_then(|a| a.land_code) == Some(LandCode::NL);
    if nl && adres.is_some_and(|a| a.huis.is_none()) {
        s.fail(r::CD025, K::Contact, pad, "LandCode NL zonder Huis");
    }
    let postcode = adres.and_then(|a| a.postcode.as_ref());
    if matches!(c.soort, AdresSoort::BrpAdres | AdresSoort::Verblijfadres) && postcode.is_none() {
        s.fail(
            r::CD034,
            K::Contact,
            pad,
            format!("Soort {} zonder Postcode", c.soort),
        );
    }
    if let Some(p) = postcode {
        if nl && !dutch_postcode(p.as_str()) {
            s.fail(r::CS089, K::Contact, pad, format!("Postcode {p:?}"));
        }
    }
    if postcode.is_some() != adres.is_some_and(|a| a.land_code.is_some()) {
        s.fail(
            r::CD005,
            K::Contact,
            pad,
            "Postcode en LandCode horen samen",
        );
    }
    if let Some(p) = &c.periode {
        if c.soort != AdresSoort::TijdelijkVerblijfadres {
            s.fail(
                r::CD009,
                K::Contact,
                pad,
                format!("Periode bij Soort {}", c.soort),
            );
        }
        if let (Some(b), Some(e)) = (p.begindatum, p.einddatum) {
            if e < b {
                s.fail(
                    r::CS003,
                    K::Contact,
                    pad,
                    format!("Einddatum {e} voor Begindatum {b}"),
                );
            }
        }
    }
    let huis_postcode = adres.is_some_and(|a| a.huis.is_some() && a.postcode.is_some());
    if c.telefoon.is_none() && !huis_postcode {
        s.fail(
            r::TR006,
            K::Contact,
            pad,
            "geen Telefoon en geen Huis+Postcode",
        );
    }
}

/// Checks shared by every product-with-Omvang-or-Budget class (301 ToegewezenProduct,
/// 315 AangevraagdProduct, 317 NieuwProduct/TeWijzigenProduct).
struct ProductFields<'a> {
    product: Option<&'a Option<Product>>,
    ingang: NaiveDate,
    eind: Option<NaiveDate>,
    omvang: &'a Option<Omvang>,
    budget: Option<Budget>,
}

fn check_omvang_budget(
    s: &mut Sink,
    f: &ProductFields<'_>,
    k: Berichtklasse,
    pad: &[usize],
    variant: Uitvoeringsvariant,
    code_rule: Option<Rule>,
    freq_rule: Rule,
) {
    if let Some(p) = f.product {
        if f.budget.is_none() && p.is_none() {
            s.fail(r::CD079, k, pad, "geen Product en geen Budget");
        }
        let code = p.as_ref().and_then(|p| p.code.as_ref());
        if code.is_some() && f.omvang.is_none() {
            s.fail(r::CD041, k, pad, "Product/Code zonder Omvang");
        }
        if let Some(rule) = code_rule {
            if code.is_none() && na_2020(f.eind) && f.omvang.is_some() {
                s.fail(rule, k, pad, "Omvang zonder ProductCode");
            }
        }
    }
    if f.budget.is_some() && f.eind.is_none() {
        s.fail(r::CD075, k, pad, "Budget zonder Einddatum");
    }
    if let Some(e) = f.eind {
        if e < f.ingang {
            s.fail(
                r::CS003,
                k,
                pad,
                format!("Einddatum {e} voor Ingangsdatum {}", f.ingang),
            );
        }
    }
    if f.budget.is_some() && f.omvang.is_some() {
        s.fail(r::CD077, k, pad, "Omvang naast Budget");
        s.fail(r::CD078, k, pad, "Budget naast Omvang");
    }
    if let Some(o) = f.omvang {
        if o.frequentie == Frequentie::PerWeek && f.eind.is_none() {
            s.fail(r::CD076, k, pad, "Frequentie per week zonder Einddatum");
        }
        if matches!(
            o.eenheid,
            Eenheid::Etmaal | Eenheid::Dagdeel | Eenheid::Euros | Eenheid::StuksInspanning
        ) && na_2020(f.eind)
            && o.frequentie == Frequentie::PerDag
        {
            s.fail(
                freq_rule,
                k,
                pad,
                format!("Eenheid {} met Frequentie {}", o.eenheid, o.frequentie),
            );
        }
        check_variant_eenheid(s, o.eenheid, k, pad, variant);
    }
}

fn check_variant_eenheid(
    s: &mut Sink,
    e: Eenheid,
    k: Berichtklasse,
    pad: &[usize],
    variant: Uitvoeringsvariant,
) {
    if variant == Uitvoeringsvariant::Taakgericht || variant.eenheden().contains(&e) {
        return;
    }
    let rule = if variant == Uitvoeringsvariant::Inspanningsgericht {
        r::OP262
    } else {
        r::OP263
    };
    s.fail(
        rule,
        k,
        pad,
        format!("Eenheid {e} past niet bij {variant:?}"),
    );
}

fn check_variant(s: &mut Sink, t: MessageType, variant: Uitvoeringsvariant) {
    if !variant.allows(t) {
        let rule = if t == MessageType::Wmo323 {
            r::UP025
        } else {
            r::OP086
        };
        s.fail(
            rule,
            K::Header,
            &[],
            format!("{t} bij uitvoeringsvariant {variant:?}"),
        );
    }
}

fn check_identificatie<A: SimpleType + ToString, O>(
    s: &mut Sink,
    ctx: &dyn ChainContext,
    t: MessageType,
    h: &Header<A, O>,
    opts: &Options,
) {
    if !opts.alleen_bericht
        && ctx.identificatie_bekend(
            t,
            &h.afzender.to_string(),
            h.bericht_identificatie.identificatie.as_str(),
        )
    {
        s.fail(
            r::TR056,
            K::Header,
            &[],
            format!("Identificatie {}", h.bericht_identificatie.identificatie),
        );
    }
}

/// Layer 2–4 checks of every heen message except WMO323.
pub(crate) fn check_heen(
    b: &Bericht,
    ctx: &dyn ChainContext,
    opts: &Options,
    s: &mut Sink,
) -> Option<AnyHeader> {
    let t = b.message_type();
    let cross = !opts.alleen_bericht;
    check_variant(s, t, opts.variant);
    match b {
        Bericht::Wmo301(m) => {
            check_identificatie(s, ctx, t, &m.header, opts);
            check_301(s, ctx, m, opts, cross);
            Some(AnyHeader::VanGemeente(m.header.clone()))
        }
        Bericht::Wmo305(m) => {
            check_identificatie(s, ctx, t, &m.header, opts);
            check_start(s, ctx, m, opts, cross);
            Some(AnyHeader::VanAanbieder(m.header.clone()))
        }
        Bericht::Wmo307(m) => {
            check_identificatie(s, ctx, t, &m.header, opts);
            check_stop(s, ctx, m, opts, cross);
            Some(AnyHeader::VanAanbieder(m.header.clone()))
        }
        Bericht::Wmo315(m) => {
            check_identificatie(s, ctx, t, &m.header, opts);
            check_315(s, ctx, m, opts, cross);
            Some(AnyHeader::VanAanbieder(m.header.clone()))
        }
        Bericht::Wmo317(m) => {
            check_identificatie(s, ctx, t, &m.header, opts);
            check_317(s, ctx, m, opts, cross);
            Some(AnyHeader::VanAanbieder(m.header.clone()))
        }
        Bericht::Wmo319(m) => {
            check_identificatie(s, ctx, t, &m.header, opts);
            check_319(s, ctx, m, cross);
            Some(AnyHeader::VanGemeente(m.header.clone()))
        }
        // Retour messages and WMO323 are handled elsewhere.
        _ => None,
    }
}

fn check_301(
    s: &mut Sink,
    ctx: &dyn ChainContext,
    m: &crate::bericht::Wmo301,
    opts: &Options,
    cross: bool,
) {
    let dag = m.header.bericht_identificatie.dagtekening;
    let c = &m.client;
    let gemeente = m.header.afzender.as_str();
    let aanbieder = m.header.ontvanger.as_str();
    check_bsn(s, &c.bsn, &[]);
    check_geboortedatum(s, &c.geboortedatum, dag, K::Client, &[]);
    if c.naam.naam_gebruik == NaamGebruik::NietNatuurlijkPersoon {
        s.fail(r::CS318, K::Client, &[], "NaamGebruik 6");
    }
    check_volledige_naam(s, &c.naam, K::Client, &[]);
    if let Some(com) = &c.communicatie {
        if (com.vorm == Communicatievorm::TolkTaal) != com.taal.is_some() {
            s.fail(
                r::CD007,
                K::Client,
                &[],
                format!(
                    "Vorm {} met Taal {:?}",
                    com.vorm,
                    com.taal.as_ref().map(|t| t.as_str())
                ),
            );
        }
    }
    let mut nummers = HashSet::new();
    for (i, rel) in c.relaties.iter().enumerate() {
        if !nummers.insert(rel.nummer.as_str()) {
            s.fail(
                r::TR101,
                K::Relatie,
                &[i],
                format!("Relatie Nummer {} dubbel", rel.nummer),
            );
        }
        if let Some(g) = &rel.geboortedatum {
            check_geboortedatum(s, g, dag, K::Relatie, &[i]);
        }
        check_volledige_naam(s, &rel.naam, K::Relatie, &[i]);
        check_contact(s, &rel.contact, &[i, 0]);
    }
    for (j, ct) in c.contactgegevens.iter().enumerate() {
        check_contact(s, ct, &[j]);
    }
    if !c.contactgegevens.iter().any(|ct| {
        matches!(
            ct.soort,
            AdresSoort::BrpAdres | AdresSoort::Correspondentieadres | AdresSoort::Verblijfadres
        )
    }) {
        s.fail(
            r::TR061,
            K::Client,
            &[],
            "geen adres met Soort 01, 02 of 03",
        );
    }
    let mut seen = HashSet::new();
    let tps = &c.toegewezen_producten;
    let in_bericht: HashSet<u32> = tps.iter().map(|tp| tp.toewijzing_nummer.get()).collect();
    for (k, tp) in tps.iter().enumerate() {
        let pad = [k];
        if !seen.insert(tp.toewijzing_nummer) {
            s.fail(
                r::TR101,
                K::ToegewezenProduct,
                &pad,
                format!("ToewijzingNummer {} dubbel", tp.toewijzing_nummer),
            );
        }
        let f = ProductFields {
            product: Some(&tp.product),
            ingang: tp.ingangsdatum,
            eind: tp.einddatum,
            omvang: &tp.omvang,
            budget: tp.budget,
        };
        check_omvang_budget(
            s,
            &f,
            K::ToegewezenProduct,
            &pad,
            opts.variant,
            Some(r::CD080),
            r::CS338,
        );
        match tp.reden_wijziging {
            Some(RedenWijziging::Verwijderd) if tp.einddatum != Some(tp.ingangsdatum) => s.fail(
                r::CS335,
                K::ToegewezenProduct,
                &pad,
                "RedenWijziging 13 met Einddatum ongelijk Ingangsdatum",
            ),
            Some(RedenWijziging::AdministratieveCorrectieVervallen) => {
                s.fail(r::CS336, K::ToegewezenProduct, &pad, "RedenWijziging 01")
            }
            _ => {}
        }
        if tp.toewijzingsdatum > dag {
            s.fail(
                r::TR134,
                K::ToegewezenProduct,
                &pad,
                format!(
                    "Toewijzingsdatum {} na Dagtekening {dag}",
                    tp.toewijzingsdatum
                ),
            );
        }
        let info = toewijzing_info(m, tp);
        for (k2, other) in tps.iter().enumerate().skip(k + 1) {
            let o = toewijzing_info(m, other);
            if !info.is_verwijderd()
                && !o.is_verwijderd()
                && overlaps(
                    (info.ingangsdatum, info.einddatum),
                    (o.ingangsdatum, o.einddatum),
                )
                && stacked(&tp.product, &other.product)
            {
                s.fail(
                    r::TR302,
                    K::ToegewezenProduct,
                    &[k2],
                    format!("overlapt met ToewijzingNummer {}", tp.toewijzing_nummer),
                );
            }
        }
        if !cross {
            continue;
        }
        if let Some(prev) = ctx.toewijzing(gemeente, tp.toewijzing_nummer.get()) {
            if prev.bsn != c.bsn.as_str() || prev.aanbieder != aanbieder {
                s.fail(
                    r::TR332,
                    K::ToegewezenProduct,
                    &pad,
                    format!(
                        "ToewijzingNummer {} hoort bij een andere toewijzing",
                        tp.toewijzing_nummer
                    ),
                );
            }
        }
        if tp.reden_wijziging == Some(RedenWijziging::Verwijderd)
            && !ctx
                .prestaties_op_toewijzing(gemeente, tp.toewijzing_nummer.get())
                .is_empty()
        {
            s.fail(
                r::TR385,
                K::ToegewezenProduct,
                &pad,
                "verwijderd terwijl er goedgekeurde prestaties zijn",
            );
        }
        if let Some(rf) = &tp.referentie_aanbieder {
            let earlier = ctx
                .toewijzing(gemeente, tp.toewijzing_nummer.get())
                .and_then(|p| p.referentie_aanbieder.as_deref());
            if earlier != Some(rf.as_str()) && ctx.verzoek(aanbieder, rf.as_str()).is_none() {
                s.fail(
                    r::TR379,
                    K::ToegewezenProduct,
                    &pad,
                    format!("ReferentieAanbieder {rf} zonder verzoek"),
                );
            }
        }
        if !info.is_verwijderd() {
            for prev in ctx.toewijzingen(gemeente, aanbieder, c.bsn.as_str()) {
                if in_bericht.contains(&prev.toewijzing_nummer) || prev.is_verwijderd() {
                    continue;
                }
                if overlaps(
                    (info.ingangsdatum, info.einddatum),
                    (prev.ingangsdatum, prev.einddatum),
                ) && stacked(&tp.product, &prev.product)
                {
                    s.fail(
                        r::OP259,
                        K::ToegewezenProduct,
                        &pad,
                        format!("gestapeld op ToewijzingNummer {}", prev.toewijzing_nummer),
                    );
                }
            }
        }
    }
    if cross {
        for prev in ctx.toewijzingen(gemeente, aanbieder, c.bsn.as_str()) {
            if prev.is_actueel_op(dag) && !in_bericht.contains(&prev.toewijzing_nummer) {
                s.fail(
                    r::OP087,
                    K::Client,
                    &[],
                    format!(
                        "actuele ToewijzingNummer {} ontbreekt",
                        prev.toewijzing_nummer
                    ),
                );
            }
        }
    }
}

fn toewijzing_info(
    m: &crate::bericht::Wmo301,
    tp: &ToegewezenProduct,
) -> super::context::ToewijzingInfo {
    super::context::ToewijzingInfo {
        gemeente: m.header.afzender.to_string(),
        aanbieder: m.header.ontvanger.to_string(),
        bsn: m.client.bsn.to_string(),
        toewijzing_nummer: tp.toewijzing_nummer.get(),
        product: tp.product.clone(),
        ingangsdatum: tp.ingangsdatum,
        einddatum: tp.einddatum,
        reden_wijziging: tp.reden_wijziging,
        omvang: tp.omvang.clone(),
        budget: tp.budget.map(|b| b.get()),
        referentie_aanbieder: tp.referentie_aanbieder.as_ref().map(|r| r.to_string()),
    }
}

/// Start/stop key check per variant: TR019 (inspannings-/outputgericht need a
/// related toewijzing) or IV096 (taakgericht: key is Product, no ToewijzingNummer).
#[allow(clippy::too_many_arguments)]
fn check_levering_koppeling(
    s: &mut Sink,
    ctx: &dyn ChainContext,
    opts: &Options,
    cross: bool,
    k: Berichtklasse,
    pad: &[usize],
    nummer: Option<Nummer>,
    product: &Option<Product>,
    gemeente: &str,
    aanbieder: &str,
    bsn: &str,
) {
    let mut tr019 = r::TR019;
    tr019.klasse = k;
    if opts.variant == Uitvoeringsvariant::Taakgericht {
        if nummer.is_some() || product.is_none() {
            s.fail(
                r::IV096,
                k,
                pad,
                "taakgericht: sleutel is Product + Begindatum, zonder ToewijzingNummer",
            );
        }
        return;
    }
    match nummer {
        None => s.fail(tr019, k, pad, "ToewijzingNummer ontbreekt"),
        Some(n) if cross => match ctx.toewijzing(gemeente, n.get()) {
            Some(t) if t.bsn == bsn && t.aanbieder == aanbieder && !t.is_verwijderd() => {}
            _ => s.fail(
                tr019,
                k,
                pad,
                format!("geen toewijzing {n} voor deze client en aanbieder"),
            ),
        },
        Some(_) => {}
    }
}

fn sleutel(
    bsn: &str,
    nummer: Option<Nummer>,
    product: &Option<Product>,
    begindatum: NaiveDate,
) -> super::context::LeveringSleutel {
    super::context::LeveringSleutel {
        bsn: bsn.to_string(),
        toewijzing_nummer: nummer.map(|n| n.get()),
        product: product.as_ref().map(|p| {
            format!(
                "{}/{}",
                p.categorie.code(),
                p.code.as_ref().map_or("", |c| c.as_str())
            )
        }),
        begindatum,
    }
}

fn check_start(
    s: &mut Sink,
    ctx: &dyn ChainContext,
    m: &crate::bericht::Wmo305,
    opts: &Options,
    cross: bool,
) {
    let dag = m.header.bericht_identificatie.dagtekening;
    let (aanbieder, gemeente) = (m.header.afzender.as_str(), m.header.ontvanger.as_str());
    let c = &m.client;
    check_bsn(s, &c.bsn, &[]);
    check_geboortedatum(s, &c.geboortedatum, dag, K::Client, &[]);
    let starts = if cross {
        ctx.starts(gemeente, aanbieder, c.bsn.as_str())
    } else {
        &[]
    };
    let stops = if cross {
        ctx.stops(gemeente, aanbieder, c.bsn.as_str())
    } else {
        &[]
    };
    let mut keys = HashSet::new();
    for (k, sp) in c.start_producten.iter().enumerate() {
        let pad = [k];
        if !matches!(
            sp.status_aanlevering,
            StatusAanlevering::Eerste | StatusAanlevering::Verwijderen
        ) {
            s.fail(
                r::CS058,
                K::StartProduct,
                &pad,
                format!("StatusAanlevering {}", sp.status_aanlevering),
            );
        }
        if sp.begindatum > dag {
            s.fail(
                r::TR134,
                K::StartProduct,
                &pad,
                format!("Begindatum {} na Dagtekening {dag}", sp.begindatum),
            );
        }
        let key = sleutel(
            c.bsn.as_str(),
            sp.toewijzing_nummer,
            &sp.product,
            sp.begindatum,
        );
        if !keys.insert(key.clone()) {
            s.fail(r::TR101, K::StartProduct, &pad, "dubbele sleutel");
        }
        if sp.status_aanlevering != StatusAanlevering::Verwijderen {
            check_levering_koppeling(
                s,
                ctx,
                opts,
                cross,
                K::StartProduct,
                &pad,
                sp.toewijzing_nummer,
                &sp.product,
                gemeente,
                aanbieder,
                c.bsn.as_str(),
            );
        }
        if !cross {
            continue;
        }
        let same: Vec<_> = starts
            .iter()
            .filter(|x| x.sleutel == key && !x.verwijderd)
            .collect();
        match sp.status_aanlevering {
            StatusAanlevering::Eerste => {
                if !same.is_empty() {
                    s.fail(r::TR074, K::StartProduct, &pad, "sleutel al ontvangen");
                } else {
                    // An actual start (not stopped, not removed) on the same toewijzing/product.
                    let actueel = starts.iter().any(|x| {
                        !x.verwijderd
                            && x.sleutel.toewijzing_nummer == key.toewijzing_nummer
                            && x.sleutel.product == key.product
                            && !stops.iter().any(|st| {
                                !st.verwijderd
                                    && st.sleutel == x.sleutel
                                    && st.reden != RedenBeeindiging::TijdelijkBeeindigd
                            })
                    });
                    if actueel {
                        s.fail(
                            r::TR326,
                            K::StartProduct,
                            &pad,
                            "er is al een actueel startbericht",
                        );
                    }
                }
            }
            StatusAanlevering::Verwijderen => {
                if same.is_empty() {
                    s.fail(
                        r::TR063,
                        K::StartProduct,
                        &pad,
                        "geen eerdere aanlevering met deze sleutel",
                    );
                } else if stops.iter().any(|st| st.sleutel == key && !st.verwijderd) {
                    s.fail(r::TR071, K::StartProduct, &pad, "levering is al gestopt");
                }
            }
            _ => {}
        }
    }
}

fn check_stop(
    s: &mut Sink,
    ctx: &dyn ChainContext,
    m: &crate::bericht::Wmo307,
    opts: &Options,
    cross: bool,
) {
    let dag = m.header.bericht_identificatie.dagtekening;
    let (aanbieder, gemeente) = (m.header.afzender.as_str(), m.header.ontvanger.as_str());
    let c = &m.client;
    check_bsn(s, &c.bsn, &[]);
    check_geboortedatum(s, &c.geboortedatum, dag, K::Client, &[]);
    let starts = if cross {
        ctx.starts(gemeente, aanbieder, c.bsn.as_str())
    } else {
        &[]
    };
    let stops = if cross {
        ctx.stops(gemeente, aanbieder, c.bsn.as_str())
    } else {
        &[]
    };
    let mut keys = HashSet::new();
    for (k, sp) in c.stop_producten.iter().enumerate() {
        let pad = [k];
        let mut cs058 = r::CS058;
        cs058.klasse = K::StopProduct;
        if !matches!(
            sp.status_aanlevering,
            StatusAanlevering::Eerste | StatusAanlevering::Verwijderen
        ) {
            s.fail(
                cs058,
                K::StopProduct,
                &pad,
                format!("StatusAanlevering {}", sp.status_aanlevering),
            );
        }
        if sp.einddatum < sp.begindatum {
            s.fail(
                r::TR018,
                K::StopProduct,
                &pad,
                format!(
                    "Einddatum {} voor Begindatum {}",
                    sp.einddatum, sp.begindatum
                ),
            );
        }
        let key = sleutel(
            c.bsn.as_str(),
            sp.toewijzing_nummer,
            &sp.product,
            sp.begindatum,
        );
        if !keys.insert(key.clone()) {
            s.fail(r::TR101, K::StopProduct, &pad, "dubbele sleutel");
        }
        if sp.status_aanlevering != StatusAanlevering::Verwijderen {
            check_levering_koppeling(
                s,
                ctx,
                opts,
                cross,
                K::StopProduct,
                &pad,
                sp.toewijzing_nummer,
                &sp.product,
                gemeente,
                aanbieder,
                c.bsn.as_str(),
            );
        }
        if !cross {
            continue;
        }
        let actief: Vec<_> = stops
            .iter()
            .filter(|x| x.sleutel == key && !x.verwijderd)
            .collect();
        if sp.status_aanlevering == StatusAanlevering::Verwijderen {
            if actief.is_empty() {
                let mut tr063 = r::TR063;
                tr063.klasse = K::StopProduct;
                s.fail(
                    tr063,
                    K::StopProduct,
                    &pad,
                    "geen eerdere aanlevering met deze sleutel",
                );
            }
            continue;
        }
        if !starts.iter().any(|x| x.sleutel == key && !x.verwijderd) {
            s.fail(
                r::TR382,
                K::StopProduct,
                &pad,
                "geen actueel startbericht met dezelfde sleutel",
            );
        }
        for prev in &actief {
            if prev.reden == RedenBeeindiging::TijdelijkBeeindigd
                && sp.reden_beeindiging == RedenBeeindiging::TijdelijkBeeindigd
            {
                s.fail(r::TR413, K::StopProduct, &pad, "al tijdelijk beeindigd");
            }
            if prev.reden != RedenBeeindiging::TijdelijkBeeindigd {
                s.fail(
                    r::TR415,
                    K::StopProduct,
                    &pad,
                    format!("al beeindigd met reden {}", prev.reden),
                );
            }
            if sp.einddatum < prev.einddatum {
                s.fail(
                    r::TR414,
                    K::StopProduct,
                    &pad,
                    format!(
                        "Einddatum {} voor eerdere Einddatum {}",
                        sp.einddatum, prev.einddatum
                    ),
                );
            }
        }
    }
}

fn check_verwijzer(s: &mut Sink, v: &Verwijzer, pad: &[usize]) {
    use TypeVerwijzer::*;
    let arts = matches!(
        v.type_verwijzer,
        Huisarts | Jeugdarts | GecertificeerdeInstelling | MedischSpecialist
    );
    if arts && v.zorgverlener_code.is_some() && v.naam.is_some() {
        s.fail(
            r::CD066,
            K::AangevraagdProduct,
            pad,
            "Naam naast ZorgverlenerCode",
        );
    }
    if arts && v.zorgverlener_code.is_none() && v.naam.is_none() {
        s.fail(
            r::CD067,
            K::AangevraagdProduct,
            pad,
            "geen Naam en geen ZorgverlenerCode",
        );
    }
    if !arts && v.zorgverlener_code.is_some() {
        s.fail(
            r::CD068,
            K::AangevraagdProduct,
            pad,
            format!("ZorgverlenerCode bij Type {}", v.type_verwijzer),
        );
    }
}

fn check_315(
    s: &mut Sink,
    ctx: &dyn ChainContext,
    m: &crate::bericht::Wmo315,
    opts: &Options,
    cross: bool,
) {
    let dag = m.header.bericht_identificatie.dagtekening;
    let (aanbieder, gemeente) = (m.header.afzender.as_str(), m.header.ontvanger.as_str());
    let c = &m.client;
    check_bsn(s, &c.bsn, &[]);
    check_geboortedatum(s, &c.geboortedatum, dag, K::Client, &[]);
    if cross && ctx.verzoek_onderhanden(gemeente, aanbieder, c.bsn.as_str()) {
        s.fail(r::TR374, K::Client, &[], "er is al een verzoek onderhanden");
    }
    let mut refs = HashSet::new();
    for (k, ap) in c.aangevraagde_producten.iter().enumerate() {
        let pad = [k];
        if !refs.insert(ap.referentie_aanbieder.as_str()) {
            s.fail(
                r::TR383,
                K::AangevraagdProduct,
                &pad,
                format!("ReferentieAanbieder {} dubbel", ap.referentie_aanbieder),
            );
        }
        let f = ProductFields {
            product: Some(&ap.product),
            ingang: ap.toewijzing_ingangsdatum,
            eind: ap.toewijzing_einddatum,
            omvang: &ap.omvang,
            budget: ap.budget,
        };
        check_omvang_budget(
            s,
            &f,
            K::AangevraagdProduct,
            &pad,
            opts.variant,
            Some(r::CD095),
            r::CS343,
        );
        if ap.beschikking_nummer.is_some() != ap.beschikking_ingangsdatum.is_some() {
            s.fail(
                r::CD043,
                K::AangevraagdProduct,
                &pad,
                "BeschikkingNummer en BeschikkingIngangsdatum horen samen",
            );
        }
        check_verwijzer(s, &ap.verwijzer, &pad);
        for (k2, other) in c.aangevraagde_producten.iter().enumerate().skip(k + 1) {
            if overlaps(
                (ap.toewijzing_ingangsdatum, ap.toewijzing_einddatum),
                (other.toewijzing_ingangsdatum, other.toewijzing_einddatum),
            ) && stacked(&ap.product, &other.product)
            {
                s.fail(
                    r::TR386,
                    K::AangevraagdProduct,
                    &[k2],
                    format!("overlapt met AangevraagdProduct {k}"),
                );
            }
        }
        if cross
            && ctx
                .verzoek(aanbieder, ap.referentie_aanbieder.as_str())
                .is_some()
        {
            s.fail(
                r::TR347,
                K::AangevraagdProduct,
                &pad,
                format!(
                    "ReferentieAanbieder {} al gebruikt",
                    ap.referentie_aanbieder
                ),
            );
        }
    }
}

fn check_317(
    s: &mut Sink,
    ctx: &dyn ChainContext,
    m: &crate::bericht::Wmo317,
    opts: &Options,
    cross: bool,
) {
    let dag = m.header.bericht_identificatie.dagtekening;
    let (aanbieder, gemeente) = (m.header.afzender.as_str(), m.header.ontvanger.as_str());
    let c = &m.client;
    let v = &c.verzoek;
    let bsn = c.bsn.as_str();
    check_bsn(s, &c.bsn, &[]);
    if v.ongewijzigde_producten.is_empty() && v.te_wijzigen_producten.is_empty() {
        s.fail(
            r::TR352,
            K::Verzoek,
            &[],
            "geen OngewijzigdProduct of TeWijzigenProduct",
        );
    }
    if v.te_wijzigen_producten.is_empty() && v.nieuwe_producten.is_empty() {
        s.fail(
            r::TR353,
            K::Verzoek,
            &[],
            "geen TeWijzigenProduct of NieuwProduct",
        );
    }
    let mut nummers = HashSet::new();
    for (k, p) in v.ongewijzigde_producten.iter().enumerate() {
        if !nummers.insert(p.toewijzing_nummer) {
            s.fail(
                r::TR101,
                K::OngewijzigdProduct,
                &[k],
                format!("ToewijzingNummer {} dubbel", p.toewijzing_nummer),
            );
        }
    }
    for (k, p) in v.te_wijzigen_producten.iter().enumerate() {
        if !nummers.insert(p.toewijzing_nummer) {
            s.fail(
                r::TR101,
                K::TeWijzigenProduct,
                &[k],
                format!("ToewijzingNummer {} dubbel", p.toewijzing_nummer),
            );
        }
        let f = ProductFields {
            product: None,
            ingang: p.gewenste_ingangsdatum,
            eind: p.einddatum,
            omvang: &p.omvang,
            budget: p.budget,
        };
        check_omvang_budget(
            s,
            &f,
            K::TeWijzigenProduct,
            &[k],
            opts.variant,
            None,
            r::CS338,
        );
    }
    for (k, p) in v.nieuwe_producten.iter().enumerate() {
        let pad = [k];
        if p.gewenste_ingangsdatum <= dag {
            s.fail(
                r::TR380,
                K::NieuwProduct,
                &pad,
                format!(
                    "GewensteIngangsdatum {} niet na Dagtekening {dag}",
                    p.gewenste_ingangsdatum
                ),
            );
        }
        let f = ProductFields {
            product: Some(&p.product),
            ingang: p.gewenste_ingangsdatum,
            eind: p.einddatum,
            omvang: &p.omvang,
            budget: p.budget,
        };
        check_omvang_budget(
            s,
            &f,
            K::NieuwProduct,
            &pad,
            opts.variant,
            Some(r::CD096),
            r::CS338,
        );
        for (k2, other) in v.nieuwe_producten.iter().enumerate().skip(k + 1) {
            if overlaps(
                (p.gewenste_ingangsdatum, p.einddatum),
                (other.gewenste_ingangsdatum, other.einddatum),
            ) && stacked(&p.product, &other.product)
            {
                s.fail(
                    r::TR410,
                    K::NieuwProduct,
                    &[k2],
                    format!("overlapt met NieuwProduct {k}"),
                );
            }
        }
    }
    if !cross {
        return;
    }
    let bestaand = ctx.toewijzingen(gemeente, aanbieder, bsn);
    if bestaand.is_empty() {
        s.fail(
            r::TR304,
            K::Client,
            &[],
            "Bsn is geen client met toewijzingen bij deze aanbieder",
        );
    }
    if ctx.verzoek_onderhanden(gemeente, aanbieder, bsn) {
        s.fail(r::TR374, K::Client, &[], "er is al een verzoek onderhanden");
    }
    if ctx
        .verzoek(aanbieder, v.referentie_aanbieder.as_str())
        .is_some()
    {
        s.fail(
            r::TR347,
            K::Verzoek,
            &[],
            format!("ReferentieAanbieder {} al gebruikt", v.referentie_aanbieder),
        );
    }
    let actueel = |n: u32| {
        ctx.toewijzing(gemeente, n)
            .filter(|t| t.bsn == bsn && t.aanbieder == aanbieder && t.is_actueel_op(dag))
    };
    for (k, p) in v.ongewijzigde_producten.iter().enumerate() {
        if actueel(p.toewijzing_nummer.get()).is_none() {
            s.fail(
                r::TR350,
                K::OngewijzigdProduct,
                &[k],
                format!("ToewijzingNummer {}", p.toewijzing_nummer),
            );
        }
    }
    let mut periodes: Vec<(usize, Option<Product>, NaiveDate, Option<NaiveDate>)> = Vec::new();
    for (k, p) in v.te_wijzigen_producten.iter().enumerate() {
        let pad = [k];
        let Some(orig) = actueel(p.toewijzing_nummer.get()) else {
            s.fail(
                r::TR351,
                K::TeWijzigenProduct,
                &pad,
                format!("ToewijzingNummer {}", p.toewijzing_nummer),
            );
            continue;
        };
        if p.gewenste_ingangsdatum <= dag && p.gewenste_ingangsdatum != orig.ingangsdatum {
            s.fail(
                r::TR357,
                K::TeWijzigenProduct,
                &pad,
                format!(
                    "GewensteIngangsdatum {} ongelijk aan Ingangsdatum {}",
                    p.gewenste_ingangsdatum, orig.ingangsdatum
                ),
            );
        }
        let budget_gewijzigd = p.budget.is_some_and(|b| Some(b.get()) != orig.budget);
        let totaal_gewijzigd = p.omvang.as_ref().is_some_and(|o| {
            o.frequentie == Frequentie::TotaalBinnenGeldigheidsduur
                && Some(o) != orig.omvang.as_ref()
        });
        if (budget_gewijzigd || totaal_gewijzigd) && p.gewenste_ingangsdatum != orig.ingangsdatum {
            s.fail(
                r::TR373,
                K::TeWijzigenProduct,
                &pad,
                "budget/totaal gewijzigd met andere ingangsdatum",
            );
        }
        let code = orig.product.as_ref().and_then(|pr| pr.code.as_ref());
        if code.is_some() && p.omvang.is_none() {
            s.fail(
                r::TR411,
                K::TeWijzigenProduct,
                &pad,
                "toewijzing heeft ProductCode, Omvang ontbreekt",
            );
        }
        if p.omvang.is_some() && na_2020(p.einddatum) {
            if orig.product.is_none() {
                s.fail(
                    r::TR375,
                    K::TeWijzigenProduct,
                    &pad,
                    "toewijzing zonder Product, Omvang gevuld",
                );
            } else if code.is_none() {
                s.fail(
                    r::TR412,
                    K::TeWijzigenProduct,
                    &pad,
                    "toewijzing zonder ProductCode, Omvang gevuld",
                );
            }
        }
        periodes.push((
            k,
            orig.product.clone(),
            p.gewenste_ingangsdatum,
            p.einddatum.or(orig.einddatum),
        ));
    }
    for (i, a) in periodes.iter().enumerate() {
        for b in periodes.iter().skip(i + 1) {
            if overlaps((a.2, a.3), (b.2, b.3)) && stacked(&a.1, &b.1) {
                s.fail(
                    r::TR361,
                    K::TeWijzigenProduct,
                    &[b.0],
                    format!("overlapt met TeWijzigenProduct {}", a.0),
                );
            }
        }
    }
    let genoemd: HashSet<u32> = v.genoemde_toewijzingnummers().collect();
    for t in bestaand.iter().filter(|t| t.is_actueel_op(dag)) {
        if !genoemd.contains(&t.toewijzing_nummer) {
            s.fail(
                r::TR349,
                K::Verzoek,
                &[],
                format!("actuele ToewijzingNummer {} ontbreekt", t.toewijzing_nummer),
            );
        }
    }
}

fn check_319(s: &mut Sink, ctx: &dyn ChainContext, m: &crate::bericht::Wmo319, cross: bool) {
    let a = &m.antwoord;
    match a.verzoek_antwoord {
        VerzoekAntwoord::Afgewezen if a.reden_afwijzing_verzoek.is_none() => s.fail(
            r::CD085,
            K::Antwoord,
            &[],
            "RedenAfwijzingVerzoek ontbreekt",
        ),
        VerzoekAntwoord::InOnderzoek if a.reden_afwijzing_verzoek.is_some() => {
            s.fail(r::CD086, K::Antwoord, &[], "RedenAfwijzingVerzoek gevuld")
        }
        _ => {}
    }
    if !cross {
        return;
    }
    let Some(v) = ctx.verzoek(m.header.ontvanger.as_str(), a.referentie_aanbieder.as_str()) else {
        s.fail(
            r::TR355,
            K::Antwoord,
            &[],
            format!("ReferentieAanbieder {}", a.referentie_aanbieder),
        );
        return;
    };
    if v.toegewezen {
        s.fail(
            r::TR359,
            K::Antwoord,
            &[],
            "er is al een toewijzing met deze ReferentieAanbieder",
        );
    }
    if a.verzoek_antwoord == VerzoekAntwoord::InOnderzoek && !v.antwoorden.is_empty() {
        s.fail(r::TR360, K::Antwoord, &[], "er is al een antwoordbericht");
    }
    if v.antwoorden
        .iter()
        .any(|x| *x != VerzoekAntwoord::InOnderzoek)
    {
        s.fail(
            r::TR365,
            K::Antwoord,
            &[],
            "eerder antwoord was geen 'aanvraag in onderzoek'",
        );
    }
}

/// Maximum volume an Omvang allows over `[b, e]` (TR321/TR322), in the
/// toewijzing's unit; `None` = unbounded.
fn toegestaan_volume(o: &Omvang, b: NaiveDate, e: Option<NaiveDate>) -> Option<u64> {
    let vol = u64::from(o.volume.get());
    if o.frequentie == Frequentie::TotaalBinnenGeldigheidsduur {
        return Some(vol);
    }
    let e = e?;
    let dagen = (e - b).num_days().max(0) as u64 + 1;
    Some(match o.frequentie {
        Frequentie::PerDag => vol * dagen,
        Frequentie::PerWeek => vol * dagen.div_ceil(7),
        Frequentie::PerMaand => {
            let maanden =
                (e.year() - b.year()) as i64 * 12 + e.month() as i64 - b.month() as i64 + 1;
            vol * maanden.max(1) as u64
        }
        Frequentie::TotaalBinnenGeldigheidsduur => vol,
    })
}

/// Prestatie units per toewijzing unit (60 when minutes are declared on an
/// hour toewijzing, else 1). Volumes are compared as integers in the
/// prestatie's unit (`volume <= max * factor`), so no rounding can tip a
/// sum of minutes over or under the assigned hours.
fn eenheid_factor(prestatie: Eenheid, toewijzing: Eenheid) -> u64 {
    if prestatie == Eenheid::Minuut && toewijzing == Eenheid::Uur {
        60
    } else {
        1
    }
}

/// Streaming state for a WMO323: checks one client at a time and keeps only
/// the keys in-message rules need.
pub(crate) struct DeclaratieState<'a> {
    pub(crate) sink: Sink,
    ctx: &'a dyn ChainContext,
    opts: &'a Options,
    aanbieder: String,
    gemeente: String,
    dagtekening: NaiveDate,
    kop: DeclaratieKop,
    // Inline strings: these keys are at most 22 bytes, so no allocation per prestatie.
    bsns: HashSet<InlineStr>,
    referenties: HashSet<InlineStr>,
    vorige: HashSet<InlineStr>,
    debet_keys: HashSet<(u32, ProductCategorie, InlineStr, NaiveDate, NaiveDate)>,
    /// Volume declared so far in this message per toewijzing (prestatie units).
    volume_per_toewijzing: HashMap<u32, u64>,
    som_ingediend: i64,
    toegekend: i64,
    kop_fout: bool,
}

impl<'a> DeclaratieState<'a> {
    pub(crate) fn new(
        h: &Header<AgbCode, Gemeente>,
        kop: &DeclaratieKop,
        ctx: &'a dyn ChainContext,
        opts: &'a Options,
    ) -> Self {
        let mut s = Sink { issues: Vec::new() };
        check_variant(&mut s, MessageType::Wmo323, opts.variant);
        check_identificatie(&mut s, ctx, MessageType::Wmo323, h, opts);
        let p = &kop.declaratie_periode;
        let cs100_grens = NaiveDate::from_ymd_opt(2021, 1, 1).expect("valid");
        if p.begindatum < cs100_grens {
            s.fail(
                r::CS100,
                K::Declaratie,
                &[],
                format!("DeclaratiePeriode begint {}", p.begindatum),
            );
        }
        if p.begindatum != first_of_month(p.begindatum)
            || p.einddatum != last_of_month(p.begindatum)
        {
            s.fail(
                r::CS340,
                K::Declaratie,
                &[],
                format!("{} t/m {}", p.begindatum, p.einddatum),
            );
        }
        let t = &kop.totaal_ingediend_bedrag;
        if t.totaal_bedrag.get() == 0 && t.debet_credit == DebetCredit::Credit {
            s.fail(r::CS325, K::Declaratie, &[], "TotaalBedrag 0 met Credit");
        }
        if !opts.alleen_bericht
            && ctx.declaratienummer_bekend(
                h.afzender.as_str(),
                h.ontvanger.as_str(),
                kop.declaratie_nummer.as_str(),
            )
        {
            s.fail(
                r::TR333,
                K::Declaratie,
                &[],
                format!("DeclaratieNummer {}", kop.declaratie_nummer),
            );
        }
        let kop_fout = !s.issues.is_empty();
        DeclaratieState {
            sink: s,
            ctx,
            opts,
            aanbieder: h.afzender.to_string(),
            gemeente: h.ontvanger.to_string(),
            dagtekening: h.bericht_identificatie.dagtekening,
            kop: kop.clone(),
            bsns: HashSet::new(),
            referenties: HashSet::new(),
            vorige: HashSet::new(),
            debet_keys: HashSet::new(),
            volume_per_toewijzing: HashMap::new(),
            som_ingediend: 0,
            toegekend: 0,
            kop_fout,
        }
    }

    /// Checks client `c`; returns whether it has issues (and so goes into the retour).
    pub(crate) fn client(&mut self, c: usize, client: &DeclaratieClient) -> bool {
        let before = self.sink.issues.len();
        check_bsn(&mut self.sink, &client.bsn, &[c]);
        if !self.bsns.insert(InlineStr::from(client.bsn.as_str())) {
            self.sink.fail(
                r::TR101,
                K::Client,
                &[c],
                format!("Bsn {} dubbel", client.bsn),
            );
        }
        let client_fout = self.sink.issues.len() > before;
        for (p, pr) in client.prestaties.iter().enumerate() {
            let n = self.sink.issues.len();
            self.prestatie(c, p, client, pr);
            self.som_ingediend += pr.ingediend_bedrag.signed();
            if !client_fout && self.sink.issues.len() == n {
                self.toegekend += pr.ingediend_bedrag.signed();
            }
        }
        self.sink.issues.len() > before
    }

    fn prestatie(&mut self, c: usize, p: usize, client: &DeclaratieClient, pr: &Prestatie) {
        let pad = [c, p];
        let s = &mut self.sink;
        let per = &pr.product_periode;
        let (b, e) = (per.begindatum, per.einddatum);
        if b < NaiveDate::from_ymd_opt(2021, 1, 1).expect("valid") {
            s.fail(
                r::CS100,
                K::Prestatie,
                &pad,
                format!("ProductPeriode begint {b}"),
            );
        }
        if b.year() != e.year() || b.month() != e.month() {
            s.rule(r::CS337, &pad, format!("{b} t/m {e}"));
        }
        if e < b || e > self.dagtekening {
            s.rule(r::TR137, &pad, format!("Einddatum {e}"));
        }
        if self
            .kop
            .declaratie_dagtekening
            .checked_sub_months(Months::new(60))
            .is_some_and(|g| e < g)
        {
            s.rule(r::TR335, &pad, format!("Einddatum {e}"));
        }
        if e > self.kop.declaratie_periode.einddatum {
            s.rule(
                r::TR319,
                &pad,
                format!("ProductPeriode eindigt {e} na DeclaratiePeriode"),
            );
        }
        let bedrag = &pr.ingediend_bedrag;
        if bedrag.bedrag.get() == 0 && bedrag.debet_credit == DebetCredit::Credit {
            s.rule(r::CS325, &pad, "Bedrag 0 met Credit");
        }
        let credit = bedrag.debet_credit == DebetCredit::Credit;
        let vorig = pr.product_referentie.vorig_referentie_nummer.as_ref();
        if credit != vorig.is_some() {
            s.rule(
                r::CD060,
                &pad,
                "VorigReferentieNummer alleen en altijd bij credit",
            );
        }
        let euros = pr.eenheid == Eenheid::Euros;
        if euros == pr.product_tarief.is_some() {
            s.rule(
                r::CD087,
                &pad,
                "ProductTarief alleen en altijd bij Eenheid ongelijk 83",
            );
        }
        if euros && bedrag.bedrag.get() != pr.geleverd_volume.get() {
            s.rule(
                r::CS339,
                &pad,
                format!(
                    "IngediendBedrag {} ongelijk GeleverdVolume {}",
                    bedrag.bedrag, pr.geleverd_volume
                ),
            );
        }
        if let (false, Some(t)) = (euros, pr.product_tarief) {
            let verwacht = u64::from(pr.geleverd_volume.get()) * u64::from(t.get());
            let werkelijk = u64::from(bedrag.bedrag.get());
            // Minutes against an hourly tariff: the per-minute tariff is rounded (IV081), so allow half a cent per minute.
            let marge = if pr.eenheid == Eenheid::Minuut {
                u64::from(pr.geleverd_volume.get()).div_ceil(2)
            } else {
                0
            };
            if werkelijk.abs_diff(verwacht) > marge {
                s.rule(
                    r::TR346,
                    &pad,
                    format!(
                        "IngediendBedrag {werkelijk} ongelijk {} x {}",
                        pr.geleverd_volume, t
                    ),
                );
            }
        }
        let refnr = InlineStr::from(pr.product_referentie.referentie_nummer.as_str());
        if !self.referenties.insert(refnr.clone()) {
            s.rule(
                r::TR314,
                &pad,
                format!("ReferentieNummer {refnr} dubbel in bericht"),
            );
        }
        if let Some(v) = vorig {
            if !self.vorige.insert(InlineStr::from(v.as_str())) {
                s.rule(r::TR315, &pad, format!("VorigReferentieNummer {v} dubbel"));
            }
            if self.referenties.contains(v.as_str()) {
                s.rule(
                    r::TR316,
                    &pad,
                    format!("crediteert {v} uit hetzelfde bericht"),
                );
            }
        } else if self.vorige.contains(&refnr) {
            s.rule(
                r::TR316,
                &pad,
                format!("{refnr} wordt in hetzelfde bericht gecrediteerd"),
            );
        }
        if !credit
            && !self.debet_keys.insert((
                pr.toewijzing_nummer.get(),
                pr.product_categorie,
                InlineStr::from(pr.product_code.as_str()),
                b,
                e,
            ))
        {
            s.rule(r::TR416, &pad, "dubbele debetprestatie");
        }
        let mut op = r::OP262;
        op.klasse = K::Prestatie;
        if self.opts.variant != Uitvoeringsvariant::Taakgericht
            && !self.opts.variant.eenheden().contains(&pr.eenheid)
        {
            if self.opts.variant == Uitvoeringsvariant::Outputgericht {
                op = r::OP263;
                op.klasse = K::Prestatie;
            }
            s.fail(op, K::Prestatie, &pad, format!("Eenheid {}", pr.eenheid));
        }
        if self.opts.alleen_bericht {
            return;
        }
        let ctx = self.ctx;
        if ctx.prestatie(&self.aanbieder, &refnr).is_some() {
            s.rule(
                r::TR314,
                &pad,
                format!("ReferentieNummer {refnr} al aangeleverd"),
            );
        }
        if let Some(v) = vorig {
            match ctx.prestatie(&self.aanbieder, v.as_str()) {
                Some(orig) if orig.debet_credit == DebetCredit::Debet => {
                    if orig.gecrediteerd {
                        s.rule(r::TR390, &pad, format!("{v} is al gecrediteerd"));
                    }
                }
                _ => s.rule(r::TR323, &pad, format!("geen debetprestatie {v}")),
            }
        }
        let Some(tw) = ctx
            .toewijzing(&self.gemeente, pr.toewijzing_nummer.get())
            .filter(|t| t.aanbieder == self.aanbieder)
        else {
            s.rule(
                r::TR338,
                &pad,
                format!("geen toewijzing {}", pr.toewijzing_nummer),
            );
            return;
        };
        if tw.bsn != client.bsn.as_str() {
            s.fail(
                r::TR304,
                K::Prestatie,
                &pad,
                format!(
                    "toewijzing {} hoort bij een andere client",
                    pr.toewijzing_nummer
                ),
            );
        }
        if tw.reden_wijziging == Some(RedenWijziging::Verwijderd) {
            s.rule(r::TR384, &pad, "toewijzing is verwijderd");
        }
        if let Some(tp) = &tw.product {
            if tp.categorie != pr.product_categorie {
                s.rule(
                    r::TR339,
                    &pad,
                    format!("{} ongelijk {}", pr.product_categorie, tp.categorie),
                );
            }
            if let Some(code) = &tp.code {
                if code.as_str() != pr.product_code.as_str() {
                    s.rule(
                        r::TR340,
                        &pad,
                        format!("{} ongelijk {}", pr.product_code, code),
                    );
                }
            }
        }
        if b < tw.ingangsdatum {
            s.rule(
                r::TR307,
                &pad,
                format!("Begindatum {b} voor Ingangsdatum {}", tw.ingangsdatum),
            );
        }
        if tw.einddatum.is_some_and(|te| e > te) {
            s.rule(
                r::TR308,
                &pad,
                format!("Einddatum {e} na Einddatum toewijzing"),
            );
        }
        if b != first_of_month(b).max(tw.ingangsdatum) {
            s.rule(r::TR387, &pad, format!("Begindatum {b}"));
        }
        let laatste = tw
            .einddatum
            .map_or(last_of_month(b), |te| te.min(last_of_month(b)));
        if e != laatste {
            s.rule(r::TR388, &pad, format!("Einddatum {e}, verwacht {laatste}"));
        }
        if let Some(o) = &tw.omvang {
            let past = pr.eenheid == o.eenheid
                || (pr.eenheid == Eenheid::Minuut && o.eenheid == Eenheid::Uur);
            if !past {
                s.rule(
                    r::TR341,
                    &pad,
                    format!("Eenheid {} bij toewijzing in {}", pr.eenheid, o.eenheid),
                );
            } else {
                let factor = eenheid_factor(pr.eenheid, o.eenheid);
                let vol = u64::from(pr.geleverd_volume.get());
                if toegestaan_volume(o, b, Some(e)).is_some_and(|max| vol > max * factor) {
                    s.rule(
                        r::TR321,
                        &pad,
                        format!(
                            "GeleverdVolume {} boven toegewezen {}",
                            pr.geleverd_volume, o.volume
                        ),
                    );
                }
                let eerder: u64 = ctx
                    .prestaties_op_toewijzing(&self.gemeente, tw.toewijzing_nummer)
                    .iter()
                    .map(|x| u64::from(x.volume))
                    .sum();
                let lopend = self
                    .volume_per_toewijzing
                    .entry(tw.toewijzing_nummer)
                    .or_insert(0);
                if !credit {
                    *lopend += vol;
                }
                if toegestaan_volume(o, tw.ingangsdatum, tw.einddatum)
                    .is_some_and(|max| eerder + *lopend > max * factor)
                {
                    s.rule(r::TR322, &pad, "som GeleverdVolume boven toegewezen omvang");
                }
            }
        }
        if let Some(budget) = tw.budget {
            let eerder: u64 = ctx
                .prestaties_op_toewijzing(&self.gemeente, tw.toewijzing_nummer)
                .iter()
                .map(|x| u64::from(x.volume))
                .sum();
            let lopend = self
                .volume_per_toewijzing
                .entry(tw.toewijzing_nummer)
                .or_insert(0);
            if tw.omvang.is_none() && !credit {
                *lopend += u64::from(pr.geleverd_volume.get());
            }
            if eerder + *lopend > u64::from(budget) {
                s.rule(
                    r::TR369,
                    &pad,
                    format!("som GeleverdVolume boven Budget {budget}"),
                );
            }
        }
        if !credit {
            let dubbel = ctx
                .prestaties_op_toewijzing(&self.gemeente, tw.toewijzing_nummer)
                .iter()
                .any(|x| {
                    x.periode == *per
                        && x.categorie == pr.product_categorie
                        && x.code == pr.product_code.as_str()
                });
            if dubbel {
                s.rule(
                    r::TR389,
                    &pad,
                    "er is al een debetprestatie voor deze periode en dit product",
                );
            }
        }
        if let (Some(t), Some(contract)) = (
            pr.product_tarief,
            ctx.contract_tarief(
                &self.gemeente,
                &self.aanbieder,
                pr.product_code.as_str(),
                pr.eenheid,
                b,
            ),
        ) {
            if t.get() != contract {
                s.rule(
                    r::TR418,
                    &pad,
                    format!("ProductTarief {t} ongelijk contracttarief {contract}"),
                );
            }
        }
    }

    /// Declaratie-level totals; returns the issues and the awarded total.
    pub(crate) fn finish(mut self) -> (Vec<super::Issue>, i64) {
        if self.kop.totaal_ingediend_bedrag.signed() != self.som_ingediend {
            self.sink.fail(
                r::TR358,
                K::Declaratie,
                &[],
                format!(
                    "TotaalIngediendBedrag {} ongelijk som {}",
                    self.kop.totaal_ingediend_bedrag.signed(),
                    self.som_ingediend
                ),
            );
            self.kop_fout = true;
        }
        let toegekend = if self.kop_fout { 0 } else { self.toegekend };
        (self.sink.issues, toegekend)
    }
}

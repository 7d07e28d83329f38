//! Builds the retour message for a validated heen message: every class
//! instance gets the retourcodes of its issues, or `0200` when it has none.
//! Following the standard, a retour contains only clients with rejected
//! classes; a message rejected at its Header carries only the Header.

use super::{Locatie, ValidationReport};
use crate::bericht::*;
use crate::model::*;
use crate::types::*;
use chrono::NaiveDate;
use thiserror::Error;

/// Identification of the retour message itself.
#[derive(Debug, Clone)]
pub struct RetourParams {
    /// IdentificatieRetour (or BerichtIdentificatie of a WMO325).
    pub identificatie: IdentificatieBericht,
    /// DagtekeningRetour; `None` = the heen message's Dagtekening.
    pub dagtekening: Option<NaiveDate>,
    /// XsltVersie to report, if any.
    pub xslt_versie: Option<Versie>,
}

impl Default for RetourParams {
    fn default() -> Self {
        RetourParams {
            identificatie: IdentificatieBericht::new("RETOUR1").expect("valid"),
            dagtekening: None,
            xslt_versie: None,
        }
    }
}

/// Why no retour can be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RetourError {
    /// The header could not be read, so sender and receiver are unknown.
    #[error("the header could not be read; no retour message can be addressed")]
    NoHeader,
    /// Retour messages are not answered.
    #[error("{0} is a retour message and gets no answer")]
    IsRetour(MessageType),
}

fn codes(report: &ValidationReport, klasse: Berichtklasse, pad: &[usize]) -> Vec<RetourCode> {
    let loc = Locatie {
        klasse,
        pad: pad.to_vec(),
    };
    let mut v = report.retourcodes_at(&loc);
    v.sort();
    v.dedup();
    if v.is_empty() {
        v.push(RetourCode::GOED);
    }
    v
}

fn retour_header<A: Clone, O: Clone>(
    h: &Header<A, O>,
    report: &ValidationReport,
    p: &RetourParams,
) -> RetourHeader<A, O> {
    RetourHeader {
        heen: h.clone(),
        identificatie_retour: p.identificatie.clone(),
        dagtekening_retour: p.dagtekening.unwrap_or(h.bericht_identificatie.dagtekening),
        xslt_versie: p.xslt_versie.clone(),
        xsd_versie_retour: XsdVersie::current(),
        retourcodes: codes(report, Berichtklasse::Header, &[]),
    }
}

/// Whether anything below the Header must be returned.
fn body_needed(report: &ValidationReport) -> bool {
    let header_fout = report
        .issues
        .iter()
        .any(|i| i.locatie.klasse == Berichtklasse::Header);
    !header_fout && !report.issues.is_empty()
}

/// Builds the answer message (WMO302/306/308/316/318/320/325) for a report.
pub fn retour_for(report: &ValidationReport, p: &RetourParams) -> Result<Bericht, RetourError> {
    if let Some(t) = report.message_type.filter(|t| t.is_retour()) {
        return Err(RetourError::IsRetour(t));
    }
    let body = body_needed(report);
    let Some(b) = &report.bericht else {
        // Parsing failed after the header: a Header-only retour with the technical error.
        return header_only(report, p);
    };
    Ok(match b {
        Bericht::Wmo301(m) => Bericht::Wmo302(Wmo302 {
            header: retour_header(&m.header, report, p),
            client: body.then(|| {
                let mut c = m.client.clone();
                c.retourcodes = codes(report, Berichtklasse::Client, &[]);
                for (i, r) in c.relaties.iter_mut().enumerate() {
                    r.retourcodes = codes(report, Berichtklasse::Relatie, &[i]);
                    r.contact.retourcodes = codes(report, Berichtklasse::Contact, &[i, 0]);
                }
                for (j, ct) in c.contactgegevens.iter_mut().enumerate() {
                    ct.retourcodes = codes(report, Berichtklasse::Contact, &[j]);
                }
                for (k, tp) in c.toegewezen_producten.iter_mut().enumerate() {
                    tp.retourcodes = codes(report, Berichtklasse::ToegewezenProduct, &[k]);
                }
                c
            }),
        }),
        Bericht::Wmo305(m) => Bericht::Wmo306(Wmo306 {
            header: retour_header(&m.header, report, p),
            client: body.then(|| {
                let mut c = m.client.clone();
                c.retourcodes = codes(report, Berichtklasse::Client, &[]);
                for (k, sp) in c.start_producten.iter_mut().enumerate() {
                    sp.retourcodes = codes(report, Berichtklasse::StartProduct, &[k]);
                }
                c
            }),
        }),
        Bericht::Wmo307(m) => Bericht::Wmo308(Wmo308 {
            header: retour_header(&m.header, report, p),
            client: body.then(|| {
                let mut c = m.client.clone();
                c.retourcodes = codes(report, Berichtklasse::Client, &[]);
                for (k, sp) in c.stop_producten.iter_mut().enumerate() {
                    sp.retourcodes = codes(report, Berichtklasse::StopProduct, &[k]);
                }
                c
            }),
        }),
        Bericht::Wmo315(m) => Bericht::Wmo316(Wmo316 {
            header: retour_header(&m.header, report, p),
            client: body.then(|| {
                let mut c = m.client.clone();
                c.retourcodes = codes(report, Berichtklasse::Client, &[]);
                for (k, ap) in c.aangevraagde_producten.iter_mut().enumerate() {
                    ap.retourcodes = codes(report, Berichtklasse::AangevraagdProduct, &[k]);
                }
                c
            }),
        }),
        Bericht::Wmo317(m) => Bericht::Wmo318(Wmo318 {
            header: retour_header(&m.header, report, p),
            client: body.then(|| {
                let mut c = m.client.clone();
                c.retourcodes = codes(report, Berichtklasse::Client, &[]);
                let v = &mut c.verzoek;
                v.retourcodes = codes(report, Berichtklasse::Verzoek, &[]);
                for (k, x) in v.ongewijzigde_producten.iter_mut().enumerate() {
                    x.retourcodes = codes(report, Berichtklasse::OngewijzigdProduct, &[k]);
                }
                for (k, x) in v.te_wijzigen_producten.iter_mut().enumerate() {
                    x.retourcodes = codes(report, Berichtklasse::TeWijzigenProduct, &[k]);
                }
                for (k, x) in v.nieuwe_producten.iter_mut().enumerate() {
                    x.retourcodes = codes(report, Berichtklasse::NieuwProduct, &[k]);
                }
                c
            }),
        }),
        Bericht::Wmo319(m) => Bericht::Wmo320(Wmo320 {
            header: retour_header(&m.header, report, p),
            antwoord: body.then(|| {
                let mut a = m.antwoord.clone();
                a.retourcodes = codes(report, Berichtklasse::Antwoord, &[]);
                a
            }),
        }),
        Bericht::Wmo323(m) => Bericht::Wmo325(declaratie_antwoord(m, report, p)),
        other => return Err(RetourError::IsRetour(other.message_type())),
    })
}

fn header_325(
    h: &Header<AgbCode, Gemeente>,
    report: &ValidationReport,
    p: &RetourParams,
) -> Header325 {
    Header325 {
        header: Header {
            afzender: h.ontvanger.clone(),
            ontvanger: h.afzender.clone(),
            bericht_identificatie: BerichtIdentificatie {
                identificatie: p.identificatie.clone(),
                dagtekening: p.dagtekening.unwrap_or(h.bericht_identificatie.dagtekening),
            },
            xsd_versie: XsdVersie::current(),
        },
        declaratie_identificatie: h.bericht_identificatie.clone(),
        xslt_versie: p.xslt_versie.clone(),
        xsd_versie_declaratie: h.xsd_versie.clone(),
        retourcodes: codes(report, Berichtklasse::Header, &[]),
    }
}

fn declaratie_antwoord(m: &Wmo323, report: &ValidationReport, p: &RetourParams) -> Wmo325 {
    let header = header_325(&m.header, report, p);
    let header_fout = report
        .issues
        .iter()
        .any(|i| i.locatie.klasse == Berichtklasse::Header);
    if header_fout {
        return Wmo325 {
            header,
            declaratie_antwoord: None,
        };
    }
    let decl_codes = {
        let mut v = codes(report, Berichtklasse::Declaratie, &[]);
        let alles_goed = report.issues.is_empty();
        if alles_goed {
            v = vec![RetourCode::VOLLEDIG_TOEGEWEZEN];
        }
        v
    };
    let decl_fout = report
        .issues
        .iter()
        .any(|i| i.locatie.klasse == Berichtklasse::Declaratie);
    let mut clienten = Vec::new();
    if !decl_fout {
        for (kept, &orig) in report.declaratie_client_index.iter().enumerate() {
            let mut c = m.clienten[kept].clone();
            c.retourcodes = codes(report, Berichtklasse::Client, &[orig]);
            let client_fout = c.retourcodes != [RetourCode::GOED];
            let prestaties = std::mem::take(&mut c.prestaties);
            // Only rejected Prestaties are returned (TR342); when the Client itself is
            // rejected, its Prestaties were not judged on their own.
            for (pi, mut pr) in prestaties.into_iter().enumerate() {
                let eigen = report.retourcodes_at(&Locatie {
                    klasse: Berichtklasse::Prestatie,
                    pad: vec![orig, pi],
                });
                if !eigen.is_empty() {
                    pr.retourcodes = eigen;
                    c.prestaties.push(pr);
                } else if client_fout {
                    pr.retourcodes = vec![RetourCode::NIET_BEOORDEELD];
                    c.prestaties.push(pr);
                }
            }
            if !c.prestaties.is_empty() {
                clienten.push(c);
            }
        }
    }
    let toegekend = TotaalBedragMetDc::from_signed(report.toegekend).unwrap_or(TotaalBedragMetDc {
        totaal_bedrag: TotaalBedrag::default(),
        debet_credit: DebetCredit::Debet,
    });
    Wmo325 {
        header,
        declaratie_antwoord: Some(DeclaratieAntwoord {
            declaratie_nummer: IdentificatieDeclaratie::new(
                m.declaratie.declaratie_nummer.as_str(),
            )
            .expect("WMO323 DeclaratieNummer fits"),
            totaal_ingediend_bedrag: m.declaratie.totaal_ingediend_bedrag.clone(),
            totaal_toegekend_bedrag: toegekend,
            clienten,
            retourcodes: decl_codes,
        }),
    }
}

fn header_only(report: &ValidationReport, p: &RetourParams) -> Result<Bericht, RetourError> {
    let (Some(t), Some(h)) = (report.message_type, &report.header) else {
        return Err(RetourError::NoHeader);
    };
    Ok(match (t, h) {
        (MessageType::Wmo301, AnyHeader::VanGemeente(h)) => Bericht::Wmo302(Wmo302 {
            header: retour_header(h, report, p),
            client: None,
        }),
        (MessageType::Wmo319, AnyHeader::VanGemeente(h)) => Bericht::Wmo320(Wmo320 {
            header: retour_header(h, report, p),
            antwoord: None,
        }),
        (MessageType::Wmo305, AnyHeader::VanAanbieder(h)) => Bericht::Wmo306(Wmo306 {
            header: retour_header(h, report, p),
            client: None,
        }),
        (MessageType::Wmo307, AnyHeader::VanAanbieder(h)) => Bericht::Wmo308(Wmo308 {
            header: retour_header(h, report, p),
            client: None,
        }),
        (MessageType::Wmo315, AnyHeader::VanAanbieder(h)) => Bericht::Wmo316(Wmo316 {
            header: retour_header(h, report, p),
            client: None,
        }),
        (MessageType::Wmo317, AnyHeader::VanAanbieder(h)) => Bericht::Wmo318(Wmo318 {
            header: retour_header(h, report, p),
            client: None,
        }),
        (MessageType::Wmo323, AnyHeader::VanAanbieder(h)) => Bericht::Wmo325(Wmo325 {
            header: header_325(h, report, p),
            declaratie_antwoord: None,
        }),
        _ => return Err(RetourError::NoHeader),
    })
}

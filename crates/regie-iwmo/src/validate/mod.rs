//! Layered validation of iWmo 3.2 heen messages:
//!
//! 1. structure and restrictions (the XSD: parsing fails with rule `XSD`, retourcode 0001),
//! 2. conditions and constraints (CD/CS) and technical rules inside one message (TR, XSLT),
//! 3. technical rules across messages (TR, via [`ChainContext`]),
//! 4. process rules and the execution variant ([`Uitvoeringsvariant`]).
//!
//! Every failure is an [`Issue`] naming its [`rules::Rule`] and the class
//! instance ([`Locatie`]) where the retourcode goes; [`retour_for`] turns a
//! report into the answer message (WMO302/306/308/316/318/320/325).

mod checks;
pub mod context;
mod retour;
pub mod rules;

pub use context::{ChainContext, InMemoryContext};
pub use retour::{retour_for, RetourError, RetourParams};

use crate::bericht::{self, AnyHeader, Bericht, MessageType, Started, Wmo323};
use crate::model::{Berichtklasse, DeclaratieClient};
use chrono::NaiveDate;
use rules::Rule;
use serde::Serialize;
use std::fmt;

/// Execution variant of the contract ("uitvoeringsvariant") the message falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub enum Uitvoeringsvariant {
    /// Effort-based: time units or stuks (inspanning), toewijzing per client, start/stop mandatory.
    #[default]
    Inspanningsgericht,
    /// Output-based: stuks (output) or euro's, toewijzing per client, start/stop mandatory.
    Outputgericht,
    /// Task-based: no toewijzing or declaratie per client; start/stop optional, keyed on Product.
    Taakgericht,
}

impl Uitvoeringsvariant {
    /// Units (WJ756) a toewijzing or prestatie may use in this variant
    /// (docs/Uitvoeringsvarianten_inspanning-output.md, OP262/OP263).
    pub fn eenheden(self) -> &'static [crate::types::Eenheid] {
        use crate::types::Eenheid::*;
        match self {
            Uitvoeringsvariant::Inspanningsgericht => {
                &[Minuut, Uur, Etmaal, Dagdeel, StuksInspanning]
            }
            Uitvoeringsvariant::Outputgericht => &[StuksOutput, Euros],
            Uitvoeringsvariant::Taakgericht => &[],
        }
    }

    /// Whether a message type is used in this variant (OP086, UP025).
    pub fn allows(self, t: MessageType) -> bool {
        match self {
            Uitvoeringsvariant::Taakgericht => {
                matches!(t.heen(), MessageType::Wmo305 | MessageType::Wmo307)
            }
            _ => true,
        }
    }
}

/// Validation settings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Execution variant of the contract.
    pub variant: Uitvoeringsvariant,
    /// Skip cross-message rules (layer 3) even when a context is given.
    pub alleen_bericht: bool,
}

/// Where an issue is reported: a message class and the indices of its
/// instance from the root (e.g. `[2]` = third ToegewezenProduct; for a
/// Contact of a Relatie `[relatie, 0]`; for a Prestatie `[client, prestatie]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Locatie {
    /// Message class.
    pub klasse: Berichtklasse,
    /// Instance indices.
    pub pad: Vec<usize>,
}

impl Locatie {
    /// A class without index (Header, Client, Verzoek, Antwoord, Declaratie).
    pub fn top(klasse: Berichtklasse) -> Self {
        Locatie {
            klasse,
            pad: Vec::new(),
        }
    }
    /// A class instance.
    pub fn at(klasse: Berichtklasse, pad: &[usize]) -> Self {
        Locatie {
            klasse,
            pad: pad.to_vec(),
        }
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// The rule.
    pub rule: Rule,
    /// Where.
    pub locatie: Locatie,
    /// What exactly (values involved).
    pub detail: String,
}

impl Issue {
    /// The retourcode to report.
    pub fn retourcode(&self) -> crate::types::RetourCode {
        self.rule.retourcode
    }
}

/// Result of validating one message.
#[derive(Debug, Clone)]
pub struct ValidationReport {
    /// Message type, if the root element was recognised.
    pub message_type: Option<MessageType>,
    /// Header, if it could be read.
    pub header: Option<AnyHeader>,
    /// Every broken rule, in document order per layer.
    pub issues: Vec<Issue>,
    /// The parsed message, for building the retour. For a WMO323 only the
    /// clients with issues are kept (streaming: a batch is never held whole);
    /// `declaratie_client_index` maps them to their original positions.
    pub bericht: Option<Bericht>,
    /// Original client indices of the clients kept in a WMO323.
    pub declaratie_client_index: Vec<usize>,
    /// WMO323: sum of the signed amounts of accepted Prestaties (eurocents).
    pub toegekend: i64,
}

impl ValidationReport {
    /// No issues.
    pub fn is_ok(&self) -> bool {
        self.issues.is_empty()
    }

    /// Distinct rule codes found.
    pub fn codes(&self) -> Vec<&'static str> {
        let mut v: Vec<_> = self.issues.iter().map(|i| i.rule.code).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Retourcodes reported at one class instance.
    pub fn retourcodes_at(&self, loc: &Locatie) -> Vec<crate::types::RetourCode> {
        let mut v: Vec<_> = self
            .issues
            .iter()
            .filter(|i| &i.locatie == loc)
            .map(|i| i.retourcode())
            .collect();
        v.dedup();
        v
    }

    /// Machine-readable form for `regie iwmo validate --json`.
    pub fn to_json(&self) -> serde_json::Value {
        let issues: Vec<_> = self
            .issues
            .iter()
            .map(|i| {
                serde_json::json!({
                    "code": i.rule.code,
                    "kind": i.rule.kind,
                    "retourcode": i.rule.retourcode.code(),
                    "retourcode_omschrijving": i.rule.retourcode.omschrijving(),
                    "retourcode_officieel": i.rule.officieel,
                    "regel": i.rule.tekst,
                    "klasse": i.locatie.klasse,
                    "pad": i.locatie.pad,
                    "detail": i.detail,
                })
            })
            .collect();
        serde_json::json!({
            "message_type": self.message_type.map(|t| t.name()),
            "identificatie": self.header.as_ref().map(|h| h.bericht_identificatie().identificatie.to_string()),
            "afzender": self.header.as_ref().map(|h| h.afzender().to_string()),
            "ok": self.is_ok(),
            "issues": issues,
        })
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.message_type.map_or("unknown message", |t| t.name());
        let id = self
            .header
            .as_ref()
            .map(|h| h.bericht_identificatie().identificatie.to_string())
            .unwrap_or_default();
        if self.is_ok() {
            return write!(f, "{t} {id}: OK (0200)");
        }
        writeln!(f, "{t} {id}: {} issue(s)", self.issues.len())?;
        for i in &self.issues {
            writeln!(
                f,
                "  {} {:?}{:?} retourcode {} ({}): {}{}",
                i.rule.code,
                i.locatie.klasse,
                i.locatie.pad,
                i.rule.retourcode,
                i.rule.retourcode.omschrijving(),
                i.rule.tekst,
                if i.detail.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", i.detail)
                }
            )?;
        }
        Ok(())
    }
}

/// Collects issues during checking.
pub(crate) struct Sink {
    pub(crate) issues: Vec<Issue>,
}

impl Sink {
    pub(crate) fn fail(
        &mut self,
        rule: Rule,
        klasse: Berichtklasse,
        pad: &[usize],
        detail: impl Into<String>,
    ) {
        self.issues.push(Issue {
            rule,
            locatie: Locatie::at(klasse, pad),
            detail: detail.into(),
        });
    }
    /// Reports at the rule's own class.
    pub(crate) fn rule(&mut self, rule: Rule, pad: &[usize], detail: impl Into<String>) {
        self.fail(rule, rule.klasse, pad, detail);
    }
}

/// Validates a message with the contract's execution variant.
pub fn validate(
    xml: &[u8],
    ctx: &dyn ChainContext,
    variant: Uitvoeringsvariant,
) -> ValidationReport {
    validate_with(
        xml,
        ctx,
        &Options {
            variant,
            alleen_bericht: false,
        },
    )
}

fn parse_failure_report(f: bericht::ParseFailure) -> ValidationReport {
    let detail = format!("{} (in {:?})", f.error, f.error.klasse);
    ValidationReport {
        message_type: f.message_type,
        header: f.header.map(|h| *h),
        // The whole message is rejected (technical error), so the code goes on the Header.
        issues: vec![Issue {
            rule: rules::XSD,
            locatie: Locatie::top(Berichtklasse::Header),
            detail,
        }],
        bericht: None,
        declaratie_client_index: Vec::new(),
        toegekend: 0,
    }
}

/// Validates with explicit [`Options`].
pub fn validate_with(xml: &[u8], ctx: &dyn ChainContext, opts: &Options) -> ValidationReport {
    match bericht::start(xml) {
        Err(f) => parse_failure_report(f),
        Ok(Started::Retour(b)) => ValidationReport {
            // Retour messages are answers; they are checked for structure only.
            message_type: Some(b.message_type()),
            header: None,
            issues: Vec::new(),
            bericht: Some(*b),
            declaratie_client_index: Vec::new(),
            toegekend: 0,
        },
        Ok(Started::Heen(t, h, r)) => match bericht::finish_heen(t, h, r) {
            Err(f) => parse_failure_report(f),
            Ok(b) => validate_heen_owned(b, ctx, opts),
        },
        Ok(Started::Declaratie(mut d)) => {
            let mut state = checks::DeclaratieState::new(&d.header, &d.declaratie, ctx, opts);
            let mut kept = Vec::new();
            let mut index = Vec::new();
            let mut c = 0usize;
            while let Some(next) = d.next_client() {
                match next {
                    Ok(client) => {
                        if state.client(c, &client) {
                            kept.push(client);
                            index.push(c);
                        }
                        c += 1;
                    }
                    Err(error) => {
                        return parse_failure_report(bericht::ParseFailure {
                            message_type: Some(MessageType::Wmo323),
                            header: Some(Box::new(AnyHeader::VanAanbieder(d.header.clone()))),
                            error,
                        })
                    }
                }
            }
            let (issues, toegekend) = state.finish();
            ValidationReport {
                message_type: Some(MessageType::Wmo323),
                header: Some(AnyHeader::VanAanbieder(d.header.clone())),
                issues,
                bericht: Some(Bericht::Wmo323(Wmo323 {
                    header: d.header,
                    declaratie: d.declaratie,
                    clienten: kept,
                })),
                declaratie_client_index: index,
                toegekend,
            }
        }
    }
}

/// Validates an already parsed (or built) message; the XSD layer is implied
/// by the types except for cardinalities of vectors, which are checked here.
pub fn validate_bericht(b: &Bericht, ctx: &dyn ChainContext, opts: &Options) -> ValidationReport {
    let t = b.message_type();
    if t == MessageType::Wmo323 {
        let Bericht::Wmo323(m) = b else {
            unreachable!()
        };
        let mut state = checks::DeclaratieState::new(&m.header, &m.declaratie, ctx, opts);
        let mut kept_idx = Vec::new();
        for (i, c) in m.clienten.iter().enumerate() {
            if state.client(i, c) {
                kept_idx.push(i);
            }
        }
        if m.clienten.is_empty() {
            state.sink.fail(
                rules::XSD,
                Berichtklasse::Header,
                &[],
                "Clienten must contain at least one Client",
            );
        }
        let (issues, toegekend) = state.finish();
        let kept: Vec<DeclaratieClient> = kept_idx.iter().map(|&i| m.clienten[i].clone()).collect();
        return ValidationReport {
            message_type: Some(t),
            header: Some(AnyHeader::VanAanbieder(m.header.clone())),
            issues,
            bericht: Some(Bericht::Wmo323(Wmo323 {
                header: m.header.clone(),
                declaratie: m.declaratie.clone(),
                clienten: kept,
            })),
            declaratie_client_index: kept_idx,
            toegekend,
        };
    }
    validate_heen_owned(b.clone(), ctx, opts)
}

/// Heen messages other than WMO323: the report takes the parsed message
/// (no copy on the hot path of [`validate`]).
fn validate_heen_owned(b: Bericht, ctx: &dyn ChainContext, opts: &Options) -> ValidationReport {
    let mut sink = Sink { issues: Vec::new() };
    let header = checks::check_heen(&b, ctx, opts, &mut sink);
    ValidationReport {
        message_type: Some(b.message_type()),
        header,
        issues: sink.issues,
        bericht: Some(b),
        declaratie_client_index: Vec::new(),
        toegekend: 0,
    }
}

/// Convenience: a date for tests and docs.
#[doc(hidden)]
pub fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

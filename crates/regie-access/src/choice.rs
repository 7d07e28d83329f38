//! Which provider receives a toewijzing, per procurement form.
//!
//! * Open house (Meierij): the client chooses among all providers contracted
//!   on the lot and admitted on the date (toetredingseisen met).
//! * Selected partners (Amersfoort BW, up to five): the client chooses among
//!   the contract partners; a full partner means a place on its waiting list.
//! * Single consortium (Amersfoort begeleiding, Hart van Brabant BW): the order
//!   always goes to the hoofdaannemer, who routes delivery to an onderaannemer.

use crate::event::{Adressering, CaseEvent, Dekking, OrderInfo};
use crate::waitlist::WaitingList;
use chrono::NaiveDate;
use regie_domain::{
    AdmissionGap, AgbCode, Contract, ContractParty, Gemeentecode, Lot, PayerRule, ProcurementForm,
    Provider, Region, Toewijzing,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// Why a provider choice was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChoiceError {
    /// The lot does not carry the product.
    #[error("lot {lot} has no product {product}")]
    UnknownProduct {
        /// Lot.
        lot: String,
        /// Product key.
        product: String,
    },
    /// The client's municipality is not part of the region.
    #[error("municipality {0} is not part of the region")]
    OutsideRegion(Gemeentecode),
    /// The provider has no contract on this lot in force on the date.
    #[error("provider {provider} has no contract on lot {lot} on {on}")]
    NotContracted {
        /// Provider.
        provider: AgbCode,
        /// Lot.
        lot: String,
        /// Date.
        on: NaiveDate,
    },
    /// Open house: the provider does not meet the admission criteria.
    #[error("provider {provider} is not admitted on {on}: {gaps:?}")]
    NotAdmitted {
        /// Provider.
        provider: AgbCode,
        /// Date.
        on: NaiveDate,
        /// What is missing.
        gaps: Vec<AdmissionGap>,
    },
    /// The provider's admission evidence is unknown.
    #[error("provider {0} is unknown")]
    UnknownProvider(AgbCode),
    /// The procurement form does not allow the requested kind of choice.
    #[error("{form}: {reason}")]
    FormMismatch {
        /// The form.
        form: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// Nobody holds a contract on the lot.
    #[error("no contract in force on lot {lot} on {on}")]
    NoContract {
        /// Lot.
        lot: String,
        /// Date.
        on: NaiveDate,
    },
    /// The toewijzing is addressed to someone other than the order's addressee.
    #[error("toewijzing must be addressed to {expected}, not {got}")]
    WrongAddressee {
        /// Addressee.
        expected: AgbCode,
        /// Offered.
        got: AgbCode,
    },
}

/// What the client or toegang asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Keuze {
    /// The client chooses this provider (open house, selected partners).
    Aanbieder(AgbCode),
    /// The order goes to the consortium's hoofdaannemer, who routes it.
    Hoofdaannemer,
}

/// Free places per provider and product; absent means unknown (assumed free).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapacityTable {
    free: BTreeMap<(AgbCode, String), u32>,
}

impl CapacityTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the free places of a provider for a product.
    pub fn set(&mut self, provider: AgbCode, product: &str, free: u32) {
        self.free.insert((provider, product.to_string()), free);
    }
    /// Free places, if known.
    pub fn free(&self, provider: AgbCode, product: &str) -> Option<u32> {
        self.free.get(&(provider, product.to_string())).copied()
    }
}

/// Whether the chosen provider can start now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Availability {
    /// A place is free (or capacity is not tracked).
    Direct,
    /// No free place: the client joins the waiting list behind `ahead` others.
    Wachtlijst {
        /// Clients already waiting for this provider and product.
        ahead: usize,
    },
}

/// A provider the client may choose, with its availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderOption {
    /// Provider.
    pub provider: AgbCode,
    /// Name.
    pub name: String,
    /// Availability.
    pub availability: Availability,
}

/// The outcome of a choice: where the toewijzing goes and on what terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The provider the toewijzing is addressed to.
    pub addressee: AgbCode,
    /// Contract context to record with the toewijzing.
    pub info: OrderInfo,
    /// Whether care can start now.
    pub availability: Availability,
}

impl Order {
    /// The toewijzing event for this order; the toewijzing must be addressed
    /// to the order's addressee.
    pub fn toewijzing_event(&self, toewijzing: Toewijzing) -> Result<CaseEvent, ChoiceError> {
        if toewijzing.provider != self.addressee {
            return Err(ChoiceError::WrongAddressee {
                expected: self.addressee,
                got: toewijzing.provider,
            });
        }
        Ok(CaseEvent::Toegewezen {
            toewijzing,
            order: self.info.clone(),
        })
    }
}

/// The contracted supply of one lot in a region: the basis for choosing.
#[derive(Debug, Clone)]
pub struct ProviderChoice<'a> {
    region: &'a Region,
    lot: &'a Lot,
    contracts: Vec<&'a Contract>,
    providers: &'a [Provider],
    capacity: Option<&'a CapacityTable>,
    waiting: Option<&'a WaitingList>,
    region_wide: bool,
}

fn form_name(f: &ProcurementForm) -> &'static str {
    match f {
        ProcurementForm::OpenHouse { .. } => "open house",
        ProcurementForm::SelectedPartners { .. } => "selected partners",
        ProcurementForm::SingleConsortium => "single consortium",
    }
}

impl<'a> ProviderChoice<'a> {
    /// The supply of `lot` in `region`; contracts on other lots are ignored.
    /// Arrangements are region-wide when the centrumgemeente pays, else
    /// per municipality (override with [`ProviderChoice::region_wide`]).
    pub fn new(
        region: &'a Region,
        lot: &'a Lot,
        contracts: &'a [Contract],
        providers: &'a [Provider],
    ) -> Self {
        ProviderChoice {
            region,
            lot,
            contracts: contracts.iter().filter(|c| c.lot_id == lot.id).collect(),
            providers,
            capacity: None,
            waiting: None,
            region_wide: matches!(lot.payer, PayerRule::Centrumgemeente { .. }),
        }
    }

    /// Takes free places into account.
    pub fn with_capacity(mut self, capacity: &'a CapacityTable) -> Self {
        self.capacity = Some(capacity);
        self
    }

    /// Takes the waiting list into account for queue positions.
    pub fn with_waiting_list(mut self, waiting: &'a WaitingList) -> Self {
        self.waiting = Some(waiting);
        self
    }

    /// Whether toewijzingen on this lot survive a move inside the region.
    pub fn region_wide(mut self, yes: bool) -> Self {
        self.region_wide = yes;
        self
    }

    fn check_basics(&self, product: &str, gemeente: Gemeentecode) -> Result<(), ChoiceError> {
        if self.lot.product(product).is_none() {
            return Err(ChoiceError::UnknownProduct {
                lot: self.lot.id.clone(),
                product: product.to_string(),
            });
        }
        if !self.region.is_member(gemeente) {
            return Err(ChoiceError::OutsideRegion(gemeente));
        }
        Ok(())
    }

    fn in_force(&self, on: NaiveDate) -> impl Iterator<Item = &&'a Contract> {
        self.contracts
            .iter()
            .filter(move |c| c.period().contains(on))
    }

    fn admitted(&self, agb: AgbCode, on: NaiveDate) -> Result<&'a Provider, ChoiceError> {
        let p = self
            .providers
            .iter()
            .find(|p| p.agb == agb)
            .ok_or(ChoiceError::UnknownProvider(agb))?;
        let gaps = p.admission.gaps(on);
        if gaps.is_empty() {
            Ok(p)
        } else {
            Err(ChoiceError::NotAdmitted {
                provider: agb,
                on,
                gaps,
            })
        }
    }

    fn availability(&self, agb: AgbCode, product: &str) -> Availability {
        match self.capacity.and_then(|c| c.free(agb, product)) {
            Some(0) => Availability::Wachtlijst {
                ahead: self.waiting.map_or(0, |w| w.waiting_for(product, agb)),
            },
            _ => Availability::Direct,
        }
    }

    fn dekking(&self, gemeente: Gemeentecode) -> Dekking {
        if self.region_wide {
            Dekking::Regio {
                gemeenten: self
                    .region
                    .municipalities()
                    .iter()
                    .map(|m| m.code)
                    .collect(),
            }
        } else {
            Dekking::Gemeente { gemeente }
        }
    }

    /// The providers the client may choose among, those with a free place
    /// first, then by shortest queue, then by AGB. Empty for a consortium lot,
    /// where there is nothing to choose.
    pub fn options(
        &self,
        product: &str,
        gemeente: Gemeentecode,
        on: NaiveDate,
    ) -> Result<Vec<ProviderOption>, ChoiceError> {
        self.check_basics(product, gemeente)?;
        if self.lot.procurement == ProcurementForm::SingleConsortium {
            return Ok(vec![]);
        }
        let open_house = matches!(self.lot.procurement, ProcurementForm::OpenHouse { .. });
        let mut v: Vec<ProviderOption> = self
            .in_force(on)
            .filter_map(|c| {
                let agb = c.party.addressee();
                let p = self.providers.iter().find(|p| p.agb == agb);
                // Open house admits only providers meeting the toetredingseisen on the date.
                if open_house && !p.is_some_and(|p| p.admission.admitted_on(on)) {
                    return None;
                }
                Some(ProviderOption {
                    provider: agb,
                    name: p.map(|p| p.name.clone()).unwrap_or_default(),
                    availability: self.availability(agb, product),
                })
            })
            .collect();
        v.sort_by_key(|o| {
            let q = match o.availability {
                Availability::Direct => (0, 0),
                Availability::Wachtlijst { ahead } => (1, ahead),
            };
            (q, o.provider)
        });
        v.dedup_by_key(|o| o.provider);
        Ok(v)
    }

    /// Decides where the toewijzing goes for a client living in `gemeente`.
    pub fn choose(
        &self,
        product: &str,
        gemeente: Gemeentecode,
        on: NaiveDate,
        keuze: Keuze,
    ) -> Result<Order, ChoiceError> {
        self.check_basics(product, gemeente)?;
        let form = form_name(&self.lot.procurement);
        match (&self.lot.procurement, keuze) {
            (ProcurementForm::SingleConsortium, Keuze::Aanbieder(_)) => {
                Err(ChoiceError::FormMismatch {
                    form,
                    reason: "orders go to the hoofdaannemer, who routes them; the client cannot pick a member",
                })
            }
            (ProcurementForm::SingleConsortium, Keuze::Hoofdaannemer) => {
                let c = self
                    .in_force(on)
                    .next()
                    .ok_or_else(|| ChoiceError::NoContract {
                        lot: self.lot.id.clone(),
                        on,
                    })?;
                let (addressee, adressering) = match &c.party {
                    ContractParty::Consortium(k) => (
                        k.hoofdaannemer(),
                        Adressering::Hoofdaannemer {
                            onderaannemers: k.onderaannemers().to_vec(),
                        },
                    ),
                    ContractParty::Provider(a) => (*a, Adressering::Direct),
                };
                Ok(Order {
                    addressee,
                    info: OrderInfo {
                        lot_id: self.lot.id.clone(),
                        contract_id: c.id.clone(),
                        adressering,
                        dekking: self.dekking(gemeente),
                        betaler: self.lot.payer,
                    },
                    availability: self.availability(addressee, product),
                })
            }
            (_, Keuze::Hoofdaannemer) => Err(ChoiceError::FormMismatch {
                form,
                reason: "the client chooses a provider; there is no hoofdaannemer to route the order",
            }),
            (f, Keuze::Aanbieder(agb)) => {
                let c = self
                    .in_force(on)
                    .find(|c| c.party.addressee() == agb)
                    .ok_or_else(|| ChoiceError::NotContracted {
                        provider: agb,
                        lot: self.lot.id.clone(),
                        on,
                    })?;
                if matches!(f, ProcurementForm::OpenHouse { .. }) {
                    self.admitted(agb, on)?;
                }
                let adressering = match &c.party {
                    // A selected partner may itself be a combination with onderaannemers.
                    ContractParty::Consortium(k) => Adressering::Hoofdaannemer {
                        onderaannemers: k.onderaannemers().to_vec(),
                    },
                    ContractParty::Provider(_) => Adressering::Direct,
                };
                Ok(Order {
                    addressee: agb,
                    info: OrderInfo {
                        lot_id: self.lot.id.clone(),
                        contract_id: c.id.clone(),
                        adressering,
                        dekking: self.dekking(gemeente),
                        betaler: self.lot.payer,
                    },
                    availability: self.availability(agb, product),
                })
            }
        }
    }
}

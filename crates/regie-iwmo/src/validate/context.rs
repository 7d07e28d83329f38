//! State for cross-message rules. The store implements [`ChainContext`] over
//! its database; [`InMemoryContext`] is a complete in-memory implementation
//! for tests, the benchmark and small tools.

use crate::bericht::{Bericht, MessageType};
use crate::model::{GeslotenPeriode, Omvang, Product};
use crate::types::*;
use chrono::NaiveDate;
// foldhash (randomly seeded, like std's) instead of SipHash, which was 4%
// of validation time on these short keys.
use foldhash::{HashMap, HashSet};

/// A toewijzing (ToegewezenProduct) as last sent by the gemeente.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToewijzingInfo {
    /// Gemeente that assigned it.
    pub gemeente: String,
    /// Aanbieder (AGB code) it is assigned to.
    pub aanbieder: String,
    /// Client BSN.
    pub bsn: String,
    /// ToewijzingNummer.
    pub toewijzing_nummer: u32,
    /// Product (empty for a generieke toewijzing).
    pub product: Option<Product>,
    /// Ingangsdatum.
    pub ingangsdatum: NaiveDate,
    /// Einddatum.
    pub einddatum: Option<NaiveDate>,
    /// RedenWijziging of the last version.
    pub reden_wijziging: Option<RedenWijziging>,
    /// Omvang.
    pub omvang: Option<Omvang>,
    /// Budget (eurocents).
    pub budget: Option<u32>,
    /// ReferentieAanbieder when it honoured a verzoek.
    pub referentie_aanbieder: Option<String>,
}

impl ToewijzingInfo {
    /// Deleted (13) or voided (01) with Einddatum = Ingangsdatum: not an actual toewijzing (OP087, OP259).
    pub fn is_verwijderd(&self) -> bool {
        matches!(
            self.reden_wijziging,
            Some(RedenWijziging::Verwijderd | RedenWijziging::AdministratieveCorrectieVervallen)
        ) && self.einddatum == Some(self.ingangsdatum)
    }

    /// Valid on or after `datum` (the "actuele toewijzing" of TR349/OP087).
    pub fn is_actueel_op(&self, datum: NaiveDate) -> bool {
        !self.is_verwijderd() && self.einddatum.is_none_or(|e| e >= datum)
    }
}

/// Logical key of a start/stop delivery (IV096): ToewijzingNummer for
/// inspannings-/outputgericht, Product for taakgericht, plus Begindatum.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LeveringSleutel {
    /// Client BSN.
    pub bsn: String,
    /// ToewijzingNummer.
    pub toewijzing_nummer: Option<u32>,
    /// Product as `categorie/code`.
    pub product: Option<String>,
    /// Begindatum of the delivery.
    pub begindatum: NaiveDate,
}

/// A received StartProduct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartInfo {
    /// Key.
    pub sleutel: LeveringSleutel,
    /// Removed with StatusAanlevering 3.
    pub verwijderd: bool,
}

/// A received StopProduct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopInfo {
    /// Key.
    pub sleutel: LeveringSleutel,
    /// RedenBeeindiging.
    pub reden: RedenBeeindiging,
    /// Einddatum.
    pub einddatum: NaiveDate,
    /// Removed with StatusAanlevering 3.
    pub verwijderd: bool,
}

/// A verzoek om toewijzing (per AangevraagdProduct) or verzoek om wijziging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerzoekInfo {
    /// Gemeente addressed.
    pub gemeente: String,
    /// Aanbieder that asked.
    pub aanbieder: String,
    /// Client BSN.
    pub bsn: String,
    /// Answers received so far (WMO319).
    pub antwoorden: Vec<VerzoekAntwoord>,
    /// Honoured by a WMO301 carrying this ReferentieAanbieder.
    pub toegewezen: bool,
}

impl VerzoekInfo {
    /// In progress until rejected or honoured (TR374).
    pub fn onderhanden(&self) -> bool {
        !self.toegewezen && !self.antwoorden.contains(&VerzoekAntwoord::Afgewezen)
    }
}

/// A received Prestatie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrestatieInfo {
    /// Gemeente.
    pub gemeente: String,
    /// Client BSN.
    pub bsn: String,
    /// ToewijzingNummer.
    pub toewijzing_nummer: u32,
    /// ProductCategorie.
    pub categorie: ProductCategorie,
    /// ProductCode.
    pub code: String,
    /// ProductPeriode.
    pub periode: GeslotenPeriode,
    /// Debet or credit.
    pub debet_credit: DebetCredit,
    /// GeleverdVolume.
    pub volume: u32,
    /// A credit Prestatie refers to this one.
    pub gecrediteerd: bool,
}

/// Read access to the chain state that cross-message rules need. All
/// parties are passed as their code text (gemeentecode, AGB code, BSN).
pub trait ChainContext {
    /// TR056: was this Identificatie already received from this sender for this message type?
    fn identificatie_bekend(&self, t: MessageType, afzender: &str, identificatie: &str) -> bool;
    /// The toewijzing with this number in this gemeente (numbers are unique per gemeente, TR332).
    fn toewijzing(&self, gemeente: &str, nummer: u32) -> Option<ToewijzingInfo>;
    /// All toewijzingen of a client at one aanbieder.
    fn toewijzingen(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> Vec<ToewijzingInfo>;
    /// StartProducten received for a client.
    fn starts(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> Vec<StartInfo>;
    /// StopProducten received for a client.
    fn stops(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> Vec<StopInfo>;
    /// A verzoek by ReferentieAanbieder (unique per aanbieder, TR347).
    fn verzoek(&self, aanbieder: &str, referentie: &str) -> Option<VerzoekInfo>;
    /// Whether any verzoek of this aanbieder for this client is in progress (TR374).
    fn verzoek_onderhanden(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> bool;
    /// A Prestatie by ReferentieNummer (unique per aanbieder, TR314).
    fn prestatie(&self, aanbieder: &str, referentie_nummer: &str) -> Option<PrestatieInfo>;
    /// Approved, not credited debet Prestaties on a toewijzing (TR322, TR369, TR385, TR389).
    fn prestaties_op_toewijzing(&self, gemeente: &str, nummer: u32) -> Vec<PrestatieInfo>;
    /// TR333: DeclaratieNummer already used by this aanbieder.
    fn declaratienummer_bekend(&self, aanbieder: &str, gemeente: &str, nummer: &str) -> bool;
    /// TR418: contractual tariff in eurocents per unit, if a contract is known.
    fn contract_tarief(
        &self,
        gemeente: &str,
        aanbieder: &str,
        product_code: &str,
        eenheid: Eenheid,
        datum: NaiveDate,
    ) -> Option<u32>;
}

/// In-memory chain state. Feed accepted messages with [`InMemoryContext::record`].
#[derive(Debug, Default, Clone)]
pub struct InMemoryContext {
    ids: HashSet<(MessageType, String, String)>,
    toewijzingen: HashMap<(String, u32), ToewijzingInfo>,
    starts: HashMap<(String, String, String), Vec<StartInfo>>,
    stops: HashMap<(String, String, String), Vec<StopInfo>>,
    verzoeken: HashMap<(String, String), VerzoekInfo>,
    prestaties: HashMap<(String, String), PrestatieInfo>,
    declaratienummers: HashSet<(String, String, String)>,
    tarieven: HashMap<(String, String, String, Eenheid), u32>,
    // Secondary indices so client-level queries do not scan the whole chain.
    toewijzingen_per_client: HashMap<(String, String, String), Vec<u32>>,
    verzoeken_per_client: HashMap<(String, String, String), Vec<String>>,
    prestaties_per_toewijzing: HashMap<(String, u32), Vec<(String, String)>>,
}

fn product_key(p: &Option<Product>) -> Option<String> {
    p.as_ref().map(|p| {
        format!(
            "{}/{}",
            p.categorie.code(),
            p.code.as_ref().map_or("", |c| c.as_str())
        )
    })
}

impl InMemoryContext {
    /// An empty chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a contractual tariff (eurocents per unit) for TR418.
    pub fn set_tarief(
        &mut self,
        gemeente: &str,
        aanbieder: &str,
        product_code: &str,
        eenheid: Eenheid,
        cents: u32,
    ) {
        self.tarieven.insert(
            (
                gemeente.into(),
                aanbieder.into(),
                product_code.into(),
                eenheid,
            ),
            cents,
        );
    }

    fn add_verzoek(&mut self, gemeente: &str, aanbieder: &str, bsn: &str, referentie: &str) {
        self.verzoeken.insert(
            (aanbieder.to_string(), referentie.to_string()),
            VerzoekInfo {
                gemeente: gemeente.into(),
                aanbieder: aanbieder.into(),
                bsn: bsn.into(),
                antwoorden: vec![],
                toegewezen: false,
            },
        );
        self.verzoeken_per_client
            .entry((gemeente.into(), aanbieder.into(), bsn.into()))
            .or_default()
            .push(referentie.to_string());
    }

    /// Applies an accepted heen message to the state.
    pub fn record(&mut self, b: &Bericht) {
        match b {
            Bericht::Wmo301(m) => {
                let h = &m.header;
                self.ids.insert((
                    MessageType::Wmo301,
                    h.afzender.to_string(),
                    h.bericht_identificatie.identificatie.to_string(),
                ));
                for tp in &m.client.toegewezen_producten {
                    let info = ToewijzingInfo {
                        gemeente: h.afzender.to_string(),
                        aanbieder: h.ontvanger.to_string(),
                        bsn: m.client.bsn.to_string(),
                        toewijzing_nummer: tp.toewijzing_nummer.get(),
                        product: tp.product.clone(),
                        ingangsdatum: tp.ingangsdatum,
                        einddatum: tp.einddatum,
                        reden_wijziging: tp.reden_wijziging,
                        omvang: tp.omvang.clone(),
                        budget: tp.budget.map(|b| b.get()),
                        referentie_aanbieder: tp
                            .referentie_aanbieder
                            .as_ref()
                            .map(|r| r.to_string()),
                    };
                    if let Some(r) = &info.referentie_aanbieder {
                        if let Some(v) =
                            self.verzoeken.get_mut(&(info.aanbieder.clone(), r.clone()))
                        {
                            v.toegewezen = true;
                        }
                    }
                    let per_client = self
                        .toewijzingen_per_client
                        .entry((
                            info.gemeente.clone(),
                            info.aanbieder.clone(),
                            info.bsn.clone(),
                        ))
                        .or_default();
                    if !per_client.contains(&info.toewijzing_nummer) {
                        per_client.push(info.toewijzing_nummer);
                    }
                    self.toewijzingen
                        .insert((info.gemeente.clone(), info.toewijzing_nummer), info);
                }
            }
            Bericht::Wmo305(m) => {
                let h = &m.header;
                self.ids.insert((
                    MessageType::Wmo305,
                    h.afzender.to_string(),
                    h.bericht_identificatie.identificatie.to_string(),
                ));
                let k = (
                    h.ontvanger.to_string(),
                    h.afzender.to_string(),
                    m.client.bsn.to_string(),
                );
                let list = self.starts.entry(k).or_default();
                for sp in &m.client.start_producten {
                    let sleutel = LeveringSleutel {
                        bsn: m.client.bsn.to_string(),
                        toewijzing_nummer: sp.toewijzing_nummer.map(|n| n.get()),
                        product: product_key(&sp.product),
                        begindatum: sp.begindatum,
                    };
                    match sp.status_aanlevering {
                        StatusAanlevering::Verwijderen => {
                            for s in list.iter_mut().filter(|s| s.sleutel == sleutel) {
                                s.verwijderd = true;
                            }
                        }
                        _ => list.push(StartInfo {
                            sleutel,
                            verwijderd: false,
                        }),
                    }
                }
            }
            Bericht::Wmo307(m) => {
                let h = &m.header;
                self.ids.insert((
                    MessageType::Wmo307,
                    h.afzender.to_string(),
                    h.bericht_identificatie.identificatie.to_string(),
                ));
                let k = (
                    h.ontvanger.to_string(),
                    h.afzender.to_string(),
                    m.client.bsn.to_string(),
                );
                let list = self.stops.entry(k).or_default();
                for sp in &m.client.stop_producten {
                    let sleutel = LeveringSleutel {
                        bsn: m.client.bsn.to_string(),
                        toewijzing_nummer: sp.toewijzing_nummer.map(|n| n.get()),
                        product: product_key(&sp.product),
                        begindatum: sp.begindatum,
                    };
                    match sp.status_aanlevering {
                        StatusAanlevering::Verwijderen => {
                            for s in list.iter_mut().filter(|s| s.sleutel == sleutel) {
                                s.verwijderd = true;
                            }
                        }
                        _ => list.push(StopInfo {
                            sleutel,
                            reden: sp.reden_beeindiging,
                            einddatum: sp.einddatum,
                            verwijderd: false,
                        }),
                    }
                }
            }
            Bericht::Wmo315(m) => {
                let h = &m.header;
                self.ids.insert((
                    MessageType::Wmo315,
                    h.afzender.to_string(),
                    h.bericht_identificatie.identificatie.to_string(),
                ));
                for ap in &m.client.aangevraagde_producten {
                    self.add_verzoek(
                        h.ontvanger.as_str(),
                        h.afzender.as_str(),
                        m.client.bsn.as_str(),
                        ap.referentie_aanbieder.as_str(),
                    );
                }
            }
            Bericht::Wmo317(m) => {
                let h = &m.header;
                self.ids.insert((
                    MessageType::Wmo317,
                    h.afzender.to_string(),
                    h.bericht_identificatie.identificatie.to_string(),
                ));
                self.add_verzoek(
                    h.ontvanger.as_str(),
                    h.afzender.as_str(),
                    m.client.bsn.as_str(),
                    m.client.verzoek.referentie_aanbieder.as_str(),
                );
            }
            Bericht::Wmo319(m) => {
                let h = &m.header;
                self.ids.insert((
                    MessageType::Wmo319,
                    h.afzender.to_string(),
                    h.bericht_identificatie.identificatie.to_string(),
                ));
                if let Some(v) = self.verzoeken.get_mut(&(
                    h.ontvanger.to_string(),
                    m.antwoord.referentie_aanbieder.to_string(),
                )) {
                    v.antwoorden.push(m.antwoord.verzoek_antwoord);
                }
            }
            Bericht::Wmo323(m) => {
                let h = &m.header;
                let (ag, gm) = (h.afzender.to_string(), h.ontvanger.to_string());
                self.ids.insert((
                    MessageType::Wmo323,
                    ag.clone(),
                    h.bericht_identificatie.identificatie.to_string(),
                ));
                self.declaratienummers.insert((
                    ag.clone(),
                    gm.clone(),
                    m.declaratie.declaratie_nummer.to_string(),
                ));
                for c in &m.clienten {
                    for p in &c.prestaties {
                        if let Some(vorig) = &p.product_referentie.vorig_referentie_nummer {
                            if let Some(orig) =
                                self.prestaties.get_mut(&(ag.clone(), vorig.to_string()))
                            {
                                orig.gecrediteerd = true;
                            }
                        }
                        let refnr = p.product_referentie.referentie_nummer.to_string();
                        self.prestaties_per_toewijzing
                            .entry((gm.clone(), p.toewijzing_nummer.get()))
                            .or_default()
                            .push((ag.clone(), refnr.clone()));
                        self.prestaties.insert(
                            (ag.clone(), refnr),
                            PrestatieInfo {
                                gemeente: gm.clone(),
                                bsn: c.bsn.to_string(),
                                toewijzing_nummer: p.toewijzing_nummer.get(),
                                categorie: p.product_categorie,
                                code: p.product_code.to_string(),
                                periode: p.product_periode.clone(),
                                debet_credit: p.ingediend_bedrag.debet_credit,
                                volume: p.geleverd_volume.get(),
                                gecrediteerd: false,
                            },
                        );
                    }
                }
            }
            // Retour messages do not change chain state.
            _ => {}
        }
    }
}

impl ChainContext for InMemoryContext {
    fn identificatie_bekend(&self, t: MessageType, afzender: &str, identificatie: &str) -> bool {
        self.ids
            .contains(&(t, afzender.to_string(), identificatie.to_string()))
    }
    fn toewijzing(&self, gemeente: &str, nummer: u32) -> Option<ToewijzingInfo> {
        self.toewijzingen
            .get(&(gemeente.to_string(), nummer))
            .cloned()
    }
    fn toewijzingen(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> Vec<ToewijzingInfo> {
        let Some(nummers) =
            self.toewijzingen_per_client
                .get(&(gemeente.into(), aanbieder.into(), bsn.into()))
        else {
            return Vec::new();
        };
        let mut v: Vec<_> = nummers
            .iter()
            .filter_map(|n| self.toewijzingen.get(&(gemeente.to_string(), *n)))
            // A number re-sent for another client moves the toewijzing; keep only current owners.
            .filter(|t| t.aanbieder == aanbieder && t.bsn == bsn)
            .cloned()
            .collect();
        v.sort_by_key(|t| t.toewijzing_nummer);
        v
    }
    fn starts(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> Vec<StartInfo> {
        self.starts
            .get(&(gemeente.into(), aanbieder.into(), bsn.into()))
            .cloned()
            .unwrap_or_default()
    }
    fn stops(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> Vec<StopInfo> {
        self.stops
            .get(&(gemeente.into(), aanbieder.into(), bsn.into()))
            .cloned()
            .unwrap_or_default()
    }
    fn verzoek(&self, aanbieder: &str, referentie: &str) -> Option<VerzoekInfo> {
        self.verzoeken
            .get(&(aanbieder.to_string(), referentie.to_string()))
            .cloned()
    }
    fn verzoek_onderhanden(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> bool {
        self.verzoeken.values().any(|v| {
            v.gemeente == gemeente && v.aanbieder == aanbieder && v.bsn == bsn && v.onderhanden()
        })
    }
    fn prestatie(&self, aanbieder: &str, referentie_nummer: &str) -> Option<PrestatieInfo> {
        self.prestaties
            .get(&(aanbieder.to_string(), referentie_nummer.to_string()))
            .cloned()
    }
    fn prestaties_op_toewijzing(&self, gemeente: &str, nummer: u32) -> Vec<PrestatieInfo> {
        self.prestaties
            .values()
            .filter(|p| {
                p.gemeente == gemeente
                    && p.toewijzing_nummer == nummer
                    && p.debet_credit == DebetCredit::Debet
                    && !p.gecrediteerd
            })
            .cloned()
            .collect()
    }
    fn declaratienummer_bekend(&self, aanbieder: &str, gemeente: &str, nummer: &str) -> bool {
        self.declaratienummers.contains(&(
            aanbieder.to_string(),
            gemeente.to_string(),
            nummer.to_string(),
        ))
    }
    fn contract_tarief(
        &self,
        gemeente: &str,
        aanbieder: &str,
        product_code: &str,
        eenheid: Eenheid,
        _datum: NaiveDate,
    ) -> Option<u32> {
        self.tarieven
            .get(&(
                gemeente.into(),
                aanbieder.into(),
                product_code.into(),
                eenheid,
            ))
            .copied()
    }
}

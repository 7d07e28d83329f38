//! State for cross-message rules. The store implements [`ChainContext`] over
//! its database; [`InMemoryContext`] is a complete in-memory implementation
//! for tests, the benchmark and small tools.

use crate::bericht::{Bericht, Header, MessageType};
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
/// Answers are borrowed from the implementation's own state: both
/// implementations hold it in memory, and cloning every answer (three or four
/// strings per toewijzing) was a large part of the validator's allocations.
pub trait ChainContext {
    /// TR056: was this Identificatie already received from this sender for this message type?
    fn identificatie_bekend(&self, t: MessageType, afzender: &str, identificatie: &str) -> bool;
    /// The toewijzing with this number in this gemeente (numbers are unique per gemeente, TR332).
    fn toewijzing(&self, gemeente: &str, nummer: u32) -> Option<&ToewijzingInfo>;
    /// All toewijzingen of a client at one aanbieder, by ToewijzingNummer.
    fn toewijzingen(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> Vec<&ToewijzingInfo>;
    /// StartProducten received for a client.
    fn starts(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> &[StartInfo];
    /// StopProducten received for a client.
    fn stops(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> &[StopInfo];
    /// A verzoek by ReferentieAanbieder (unique per aanbieder, TR347).
    fn verzoek(&self, aanbieder: &str, referentie: &str) -> Option<&VerzoekInfo>;
    /// Whether any verzoek of this aanbieder for this client is in progress (TR374).
    fn verzoek_onderhanden(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> bool;
    /// A Prestatie by ReferentieNummer (unique per aanbieder, TR314).
    fn prestatie(&self, aanbieder: &str, referentie_nummer: &str) -> Option<&PrestatieInfo>;
    /// Approved, not credited debet Prestaties on a toewijzing (TR322, TR369, TR385, TR389).
    fn prestaties_op_toewijzing(&self, gemeente: &str, nummer: u32) -> Vec<&PrestatieInfo>;
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

/// Longest key kept on the stack; longer keys (never seen in iWmo, whose
/// fields are short) go to the heap.
const KEY_CAP: usize = 128;

/// A map key made of several fields, each prefixed with its length so that
/// no two field lists give the same bytes. Lookups build it on the stack:
/// tuple keys of `String`s cost an allocation per field per lookup.
enum Key {
    Stack { buf: [u8; KEY_CAP], len: usize },
    Heap(Vec<u8>),
}

impl Key {
    fn of(fields: &[&[u8]]) -> Key {
        let total: usize = fields.iter().map(|f| f.len() + 4).sum();
        let put = |out: &mut [u8]| {
            let mut at = 0;
            for f in fields {
                let n = u32::try_from(f.len()).expect("key field under 4 GiB");
                out[at..at + 4].copy_from_slice(&n.to_le_bytes());
                out[at + 4..at + 4 + f.len()].copy_from_slice(f);
                at += 4 + f.len();
            }
        };
        if total <= KEY_CAP {
            let mut buf = [0u8; KEY_CAP];
            put(&mut buf[..total]);
            Key::Stack { buf, len: total }
        } else {
            let mut v = vec![0u8; total];
            put(&mut v);
            Key::Heap(v)
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Key::Stack { buf, len } => &buf[..*len],
            Key::Heap(v) => v,
        }
    }

    fn boxed(&self) -> Box<[u8]> {
        self.bytes().into()
    }
}

fn k2(a: &str, b: &str) -> Key {
    Key::of(&[a.as_bytes(), b.as_bytes()])
}

fn k3(a: &str, b: &str, c: &str) -> Key {
    Key::of(&[a.as_bytes(), b.as_bytes(), c.as_bytes()])
}

/// (gemeente, aanbieder, bsn) of a message an aanbieder sent.
fn client_key(h: &Header<AgbCode, Gemeente>, bsn: &str) -> Key {
    k3(h.ontvanger.as_str(), h.afzender.as_str(), bsn)
}

fn kn(gemeente: &str, nummer: u32) -> Key {
    Key::of(&[gemeente.as_bytes(), &nummer.to_le_bytes()])
}

/// Keys as stored (see [`Key`]).
type Keyed<V> = HashMap<Box<[u8]>, V>;

/// In-memory chain state. Feed accepted messages with [`InMemoryContext::record`].
#[derive(Debug, Default, Clone)]
pub struct InMemoryContext {
    /// (message type, afzender, identificatie).
    ids: HashSet<Box<[u8]>>,
    /// (gemeente, nummer).
    toewijzingen: Keyed<ToewijzingInfo>,
    /// (gemeente, aanbieder, bsn).
    starts: Keyed<Vec<StartInfo>>,
    /// (gemeente, aanbieder, bsn).
    stops: Keyed<Vec<StopInfo>>,
    /// (aanbieder, referentie).
    verzoeken: Keyed<VerzoekInfo>,
    /// (aanbieder, referentienummer).
    prestaties: Keyed<PrestatieInfo>,
    /// (aanbieder, gemeente, declaratienummer).
    declaratienummers: HashSet<Box<[u8]>>,
    /// (gemeente, aanbieder, productcode, eenheid).
    tarieven: Keyed<u32>,
    // Secondary indices so client-level queries do not scan the whole chain.
    /// (gemeente, aanbieder, bsn) → toewijzingnummers.
    toewijzingen_per_client: Keyed<Vec<u32>>,
    /// (gemeente, aanbieder, bsn) → referenties.
    verzoeken_per_client: Keyed<Vec<String>>,
    /// (gemeente, nummer) → (aanbieder, referentienummer).
    prestaties_per_toewijzing: Keyed<Vec<(String, String)>>,
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
        let k = Key::of(&[
            gemeente.as_bytes(),
            aanbieder.as_bytes(),
            product_code.as_bytes(),
            eenheid.code().as_bytes(),
        ]);
        self.tarieven.insert(k.boxed(), cents);
    }

    fn add_id(&mut self, t: MessageType, afzender: &str, identificatie: &str) {
        self.ids
            .insert(k3(t.name(), afzender, identificatie).boxed());
    }

    fn add_verzoek(&mut self, gemeente: &str, aanbieder: &str, bsn: &str, referentie: &str) {
        self.verzoeken.insert(
            k2(aanbieder, referentie).boxed(),
            VerzoekInfo {
                gemeente: gemeente.into(),
                aanbieder: aanbieder.into(),
                bsn: bsn.into(),
                antwoorden: vec![],
                toegewezen: false,
            },
        );
        self.verzoeken_per_client
            .entry(k3(gemeente, aanbieder, bsn).boxed())
            .or_default()
            .push(referentie.to_string());
    }

    /// Applies an accepted heen message to the state.
    pub fn record(&mut self, b: &Bericht) {
        match b {
            Bericht::Wmo301(m) => {
                let h = &m.header;
                self.add_id(
                    MessageType::Wmo301,
                    h.afzender.as_str(),
                    h.bericht_identificatie.identificatie.as_str(),
                );
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
                        if let Some(v) = self.verzoeken.get_mut(k2(&info.aanbieder, r).bytes()) {
                            v.toegewezen = true;
                        }
                    }
                    let per_client = self
                        .toewijzingen_per_client
                        .entry(k3(&info.gemeente, &info.aanbieder, &info.bsn).boxed())
                        .or_default();
                    if !per_client.contains(&info.toewijzing_nummer) {
                        per_client.push(info.toewijzing_nummer);
                    }
                    self.toewijzingen
                        .insert(kn(&info.gemeente, info.toewijzing_nummer).boxed(), info);
                }
            }
            Bericht::Wmo305(m) => {
                let h = &m.header;
                self.add_id(
                    MessageType::Wmo305,
                    h.afzender.as_str(),
                    h.bericht_identificatie.identificatie.as_str(),
                );
                let k = client_key(h, m.client.bsn.as_str());
                let list = self.starts.entry(k.boxed()).or_default();
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
                self.add_id(
                    MessageType::Wmo307,
                    h.afzender.as_str(),
                    h.bericht_identificatie.identificatie.as_str(),
                );
                let k = client_key(h, m.client.bsn.as_str());
                let list = self.stops.entry(k.boxed()).or_default();
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
                self.add_id(
                    MessageType::Wmo315,
                    h.afzender.as_str(),
                    h.bericht_identificatie.identificatie.as_str(),
                );
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
                self.add_id(
                    MessageType::Wmo317,
                    h.afzender.as_str(),
                    h.bericht_identificatie.identificatie.as_str(),
                );
                self.add_verzoek(
                    h.ontvanger.as_str(),
                    h.afzender.as_str(),
                    m.client.bsn.as_str(),
                    m.client.verzoek.referentie_aanbieder.as_str(),
                );
            }
            Bericht::Wmo319(m) => {
                let h = &m.header;
                self.add_id(
                    MessageType::Wmo319,
                    h.afzender.as_str(),
                    h.bericht_identificatie.identificatie.as_str(),
                );
                let k = k2(
                    h.ontvanger.as_str(),
                    m.antwoord.referentie_aanbieder.as_str(),
                );
                if let Some(v) = self.verzoeken.get_mut(k.bytes()) {
                    v.antwoorden.push(m.antwoord.verzoek_antwoord);
                }
            }
            Bericht::Wmo323(m) => {
                let h = &m.header;
                let (ag, gm) = (h.afzender.as_str(), h.ontvanger.as_str());
                self.add_id(
                    MessageType::Wmo323,
                    ag,
                    h.bericht_identificatie.identificatie.as_str(),
                );
                self.declaratienummers
                    .insert(k3(ag, gm, m.declaratie.declaratie_nummer.as_str()).boxed());
                for c in &m.clienten {
                    for p in &c.prestaties {
                        if let Some(vorig) = &p.product_referentie.vorig_referentie_nummer {
                            if let Some(orig) =
                                self.prestaties.get_mut(k2(ag, vorig.as_str()).bytes())
                            {
                                orig.gecrediteerd = true;
                            }
                        }
                        let refnr = p.product_referentie.referentie_nummer.as_str();
                        self.prestaties_per_toewijzing
                            .entry(kn(gm, p.toewijzing_nummer.get()).boxed())
                            .or_default()
                            .push((ag.to_string(), refnr.to_string()));
                        self.prestaties.insert(
                            k2(ag, refnr).boxed(),
                            PrestatieInfo {
                                gemeente: gm.to_string(),
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
            .contains(k3(t.name(), afzender, identificatie).bytes())
    }
    fn toewijzing(&self, gemeente: &str, nummer: u32) -> Option<&ToewijzingInfo> {
        self.toewijzingen.get(kn(gemeente, nummer).bytes())
    }
    fn toewijzingen(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> Vec<&ToewijzingInfo> {
        let Some(nummers) = self
            .toewijzingen_per_client
            .get(k3(gemeente, aanbieder, bsn).bytes())
        else {
            return Vec::new();
        };
        let mut v: Vec<_> = nummers
            .iter()
            .filter_map(|n| self.toewijzing(gemeente, *n))
            // A number re-sent for another client moves the toewijzing; keep only current owners.
            .filter(|t| t.aanbieder == aanbieder && t.bsn == bsn)
            .collect();
        v.sort_by_key(|t| t.toewijzing_nummer);
        v
    }
    fn starts(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> &[StartInfo] {
        self.starts
            .get(k3(gemeente, aanbieder, bsn).bytes())
            .map_or(&[], Vec::as_slice)
    }
    fn stops(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> &[StopInfo] {
        self.stops
            .get(k3(gemeente, aanbieder, bsn).bytes())
            .map_or(&[], Vec::as_slice)
    }
    fn verzoek(&self, aanbieder: &str, referentie: &str) -> Option<&VerzoekInfo> {
        self.verzoeken.get(k2(aanbieder, referentie).bytes())
    }
    fn verzoek_onderhanden(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> bool {
        self.verzoeken_per_client
            .get(k3(gemeente, aanbieder, bsn).bytes())
            .is_some_and(|refs| {
                refs.iter().any(|r| {
                    self.verzoek(aanbieder, r)
                        .is_some_and(|v| v.gemeente == gemeente && v.bsn == bsn && v.onderhanden())
                })
            })
    }
    fn prestatie(&self, aanbieder: &str, referentie_nummer: &str) -> Option<&PrestatieInfo> {
        self.prestaties
            .get(k2(aanbieder, referentie_nummer).bytes())
    }
    fn prestaties_op_toewijzing(&self, gemeente: &str, nummer: u32) -> Vec<&PrestatieInfo> {
        let Some(refs) = self
            .prestaties_per_toewijzing
            .get(kn(gemeente, nummer).bytes())
        else {
            return Vec::new();
        };
        refs.iter()
            .filter_map(|(a, r)| self.prestatie(a, r))
            .filter(|p| {
                p.gemeente == gemeente
                    && p.toewijzing_nummer == nummer
                    && p.debet_credit == DebetCredit::Debet
                    && !p.gecrediteerd
            })
            .collect()
    }
    fn declaratienummer_bekend(&self, aanbieder: &str, gemeente: &str, nummer: &str) -> bool {
        self.declaratienummers
            .contains(k3(aanbieder, gemeente, nummer).bytes())
    }
    fn contract_tarief(
        &self,
        gemeente: &str,
        aanbieder: &str,
        product_code: &str,
        eenheid: Eenheid,
        _datum: NaiveDate,
    ) -> Option<u32> {
        let k = Key::of(&[
            gemeente.as_bytes(),
            aanbieder.as_bytes(),
            product_code.as_bytes(),
            eenheid.code().as_bytes(),
        ]);
        self.tarieven.get(k.bytes()).copied()
    }
}

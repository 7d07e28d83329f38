//! The settlement book: the region's lots, products, contracts, clients and
//! toewijzingen, indexed for fast per-line lookup.
//!
//! Settling ten million lines means every lookup a line needs is a hash probe
//! on a compact entry, so the book keeps only what settlement uses (not whole
//! domain objects) and interns lots and products as small integers.

use crate::fxhash::FxHashMap;
use crate::lumpsum::LumpsumAllocation;
use crate::rules::PartMonthRule;
use chrono::NaiveDate;
use regie_domain::{
    AgbCode, Bsn, Client, Contract, FundingVariant, Gemeentecode, Lot, PayerRule, Period, Product,
    ProductRef, Residence, Scope, TaakgerichtTerms, Toewijzing,
};
use std::collections::HashMap;
use thiserror::Error;

/// Problems building a settlement book.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BookError {
    /// A lot id was added twice.
    #[error("lot {0} added twice")]
    DuplicateLot(String),
    /// A contract or setting refers to a lot that was not added.
    #[error("unknown lot {0}")]
    UnknownLot(String),
    /// Two lots carry a product with the same key: lines could not be priced unambiguously.
    #[error("product {0} is on more than one lot")]
    DuplicateProduct(String),
    /// A toewijzing number was added twice.
    #[error("toewijzing {0} added twice")]
    DuplicateToewijzing(String),
    /// A toewijzing orders a product that is on no lot.
    #[error("toewijzing {toewijzing} orders product {product}, which is on no lot")]
    ToewijzingProductUnknown {
        /// Toewijzing.
        toewijzing: String,
        /// Product key.
        product: String,
    },
    /// A taakgericht contract on a woonplaatsbeginsel lot needs an allocation key.
    #[error("lumpsum contract {0}: the lot is paid by woonplaatsbeginsel, give an allocation over municipalities")]
    MissingAllocation(String),
    /// An allocation with no positive share.
    #[error("lumpsum contract {0}: allocation has no positive share")]
    EmptyAllocation(String),
}

/// A lot as settlement sees it.
#[derive(Debug, Clone)]
pub struct LotEntry {
    /// Lot id.
    pub id: String,
    /// Lot name.
    pub name: String,
    /// Funding variant.
    pub funding: FundingVariant,
    /// Payer rule per start date, sorted; the first applies from the beginning
    /// of time. More than one entry models a change such as Hart van Brabant's
    /// move from centrumgemeente to woonplaatsbeginsel on 1-1-2023.
    pub payer_from: Vec<(NaiveDate, PayerRule)>,
    /// Part-month rule for outputgericht client-month fees.
    pub part_month: PartMonthRule,
}

impl LotEntry {
    /// The payer rule in force on a date.
    pub fn payer_on(&self, d: NaiveDate) -> PayerRule {
        self.payer_from
            .iter()
            .rev()
            .find(|(from, _)| *from <= d)
            .unwrap_or(&self.payer_from[0])
            .1
    }
}

/// A product with the lot it belongs to.
#[derive(Debug, Clone)]
pub struct ProductEntry {
    /// Index of the lot.
    pub lot: u16,
    /// The product with its tariffs.
    pub product: Product,
}

/// The fields of a toewijzing settlement needs.
#[derive(Debug, Clone)]
pub struct ToewijzingEntry {
    /// The full toewijzing (volume checks reuse domain logic).
    pub toewijzing: Toewijzing,
    /// Index of the lot of the toegewezen product.
    pub lot: u16,
    /// Index of the toegewezen product when ordered at code level (saves a
    /// product lookup per line).
    pub product: Option<u32>,
}

/// Residence history, without a heap allocation for the common single-residence case.
#[derive(Debug, Clone)]
enum Residences {
    One(Gemeentecode),
    Many(Box<[Residence]>),
}

impl Residences {
    fn on(&self, d: NaiveDate) -> Gemeentecode {
        match self {
            Residences::One(g) => *g,
            Residences::Many(rs) => {
                rs.iter()
                    .rev()
                    .find(|r| r.from <= d)
                    .unwrap_or(&rs[0])
                    .gemeente
            }
        }
    }
}

/// A taakgericht contract with its lumpsum terms and how the lumpsum is
/// divided over paying municipalities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LumpsumContract {
    /// Contract id.
    pub contract_id: String,
    /// Lot id.
    pub lot: String,
    /// Receiving provider (hoofdaannemer for consortia).
    pub provider: AgbCode,
    /// Contract period (instalments only for months inside it).
    pub period: Period,
    /// Annual budgets and bandwidth.
    pub terms: TaakgerichtTerms,
    /// Who pays which share.
    pub allocation: LumpsumAllocation,
}

/// Everything settlement looks up, indexed.
#[derive(Debug, Default, Clone)]
pub struct SettlementBook {
    lots: Vec<LotEntry>,
    lot_index: HashMap<String, u16>,
    products: Vec<ProductEntry>,
    product_index: FxHashMap<String, u32>,
    contracts: FxHashMap<(u16, AgbCode), Vec<Period>>,
    lumpsum: Vec<LumpsumContract>,
    clients: FxHashMap<Bsn, Residences>,
    toewijzingen: Vec<ToewijzingEntry>,
    toewijzing_index: FxHashMap<Box<str>, u32>,
}

impl SettlementBook {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a lot and its products, with the part-month rule for its
    /// outputgericht fees (ignored for other variants).
    pub fn add_lot(&mut self, lot: &Lot, part_month: PartMonthRule) -> Result<(), BookError> {
        if self.lot_index.contains_key(&lot.id) {
            return Err(BookError::DuplicateLot(lot.id.clone()));
        }
        for p in &lot.products {
            if self.product_index.contains_key(&p.key()) {
                return Err(BookError::DuplicateProduct(p.key()));
            }
        }
        let idx = u16::try_from(self.lots.len()).expect("fewer than 65536 lots");
        self.lots.push(LotEntry {
            id: lot.id.clone(),
            name: lot.name.clone(),
            funding: lot.funding,
            payer_from: vec![(NaiveDate::MIN, lot.payer)],
            part_month,
        });
        self.lot_index.insert(lot.id.clone(), idx);
        for p in &lot.products {
            let pi = u32::try_from(self.products.len()).expect("fewer than 2^32 products");
            self.product_index.insert(p.key(), pi);
            self.products.push(ProductEntry {
                lot: idx,
                product: p.clone(),
            });
        }
        Ok(())
    }

    /// From `from` on, the lot is paid under `rule` (e.g. Hart van Brabant
    /// beschermd wonen: centrumgemeente Tilburg until 2022, woonplaatsbeginsel
    /// from 1-1-2023).
    pub fn change_payer(
        &mut self,
        lot_id: &str,
        from: NaiveDate,
        rule: PayerRule,
    ) -> Result<(), BookError> {
        let i = *self
            .lot_index
            .get(lot_id)
            .ok_or_else(|| BookError::UnknownLot(lot_id.to_string()))?;
        let l = &mut self.lots[usize::from(i)];
        l.payer_from.retain(|(d, _)| *d != from);
        l.payer_from.push((from, rule));
        l.payer_from.sort_by_key(|(d, _)| *d);
        Ok(())
    }

    /// Adds a contract. Taakgericht contracts also register their lumpsum;
    /// `allocation` says who pays which share and may be omitted when the lot
    /// is paid by a centrumgemeente (it then pays everything).
    pub fn add_contract(
        &mut self,
        c: &Contract,
        allocation: Option<LumpsumAllocation>,
    ) -> Result<(), BookError> {
        let lot = *self
            .lot_index
            .get(&c.lot_id)
            .ok_or_else(|| BookError::UnknownLot(c.lot_id.clone()))?;
        let provider = c.party.addressee();
        self.contracts
            .entry((lot, provider))
            .or_default()
            .push(c.period());
        if let Some(terms) = &c.lumpsum {
            let entry = &self.lots[usize::from(lot)];
            let allocation = match (allocation, entry.payer_on(c.start)) {
                (Some(a), _) => a,
                (None, PayerRule::Centrumgemeente { gemeente }) => {
                    LumpsumAllocation::Single(gemeente)
                }
                (None, PayerRule::Woonplaatsbeginsel) => {
                    return Err(BookError::MissingAllocation(c.id.clone()))
                }
            };
            if !allocation.has_positive_share() {
                return Err(BookError::EmptyAllocation(c.id.clone()));
            }
            self.lumpsum.push(LumpsumContract {
                contract_id: c.id.clone(),
                lot: c.lot_id.clone(),
                provider,
                period: c.period(),
                terms: terms.clone(),
                allocation,
            });
        }
        Ok(())
    }

    /// Adds (or replaces) a client's residence history.
    pub fn add_client(&mut self, c: &Client) {
        let r = match c.residences() {
            [one] => Residences::One(one.gemeente),
            many => Residences::Many(many.into()),
        };
        self.clients.insert(c.bsn(), r);
    }

    /// Adds a toewijzing; its product must be on a lot.
    pub fn add_toewijzing(&mut self, t: Toewijzing) -> Result<(), BookError> {
        if self.toewijzing_index.contains_key(t.id.as_str()) {
            return Err(BookError::DuplicateToewijzing(t.id));
        }
        let key = t.product.key();
        let product = t
            .product
            .code
            .and_then(|c| self.product_index.get(c.as_str()).copied());
        let lot = match self
            .product_index
            .get(&key)
            .or_else(|| self.product_index.get(t.product.categorie.as_str()))
        {
            Some(pi) => self.products[*pi as usize].lot,
            // Aspecifiek toewijzing at category level: any product of the category.
            None => match self
                .products
                .iter()
                .find(|p| p.product.categorie() == t.product.categorie)
            {
                Some(p) => p.lot,
                None => {
                    return Err(BookError::ToewijzingProductUnknown {
                        toewijzing: t.id,
                        product: key,
                    })
                }
            },
        };
        let idx = u32::try_from(self.toewijzingen.len()).expect("fewer than 2^32 toewijzingen");
        self.toewijzing_index
            .insert(t.id.clone().into_boxed_str(), idx);
        self.toewijzingen.push(ToewijzingEntry {
            toewijzing: t,
            lot,
            product,
        });
        Ok(())
    }

    /// Reserves room for `n` more clients and toewijzingen (bulk loads).
    pub fn reserve(&mut self, clients: usize, toewijzingen: usize) {
        self.clients.reserve(clients);
        self.toewijzingen.reserve(toewijzingen);
        self.toewijzing_index.reserve(toewijzingen);
    }

    /// Lots, in insertion order.
    pub fn lots(&self) -> &[LotEntry] {
        &self.lots
    }

    /// A lot by id.
    pub fn lot(&self, id: &str) -> Option<&LotEntry> {
        self.lot_index.get(id).map(|i| &self.lots[usize::from(*i)])
    }

    /// Taakgericht contracts.
    pub fn lumpsum_contracts(&self) -> &[LumpsumContract] {
        &self.lumpsum
    }

    /// Number of toewijzingen.
    pub fn toewijzing_count(&self) -> usize {
        self.toewijzingen.len()
    }

    /// Number of clients.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// A toewijzing by number.
    pub fn toewijzing(&self, id: &str) -> Option<&Toewijzing> {
        self.toewijzing_index
            .get(id)
            .map(|i| &self.toewijzingen[*i as usize].toewijzing)
    }

    /// Municipality of residence of a client on a date.
    pub fn residence_on(&self, client: Bsn, d: NaiveDate) -> Option<Gemeentecode> {
        self.clients.get(&client).map(|r| r.on(d))
    }

    pub(crate) fn lot_at(&self, i: u16) -> &LotEntry {
        &self.lots[usize::from(i)]
    }

    pub(crate) fn product_at(&self, i: u32) -> &ProductEntry {
        &self.products[i as usize]
    }

    pub(crate) fn toewijzing_at(&self, i: u32) -> &ToewijzingEntry {
        &self.toewijzingen[i as usize]
    }

    /// The municipality of residence on `start`, and whether nothing that
    /// decides the payer changes in `(start, end]` (no move, no change of the
    /// lot's payer rule). One client lookup for both: this is the hot path
    /// of multi-day lines.
    pub(crate) fn residence_span(
        &self,
        lot: u16,
        client: Bsn,
        start: NaiveDate,
        end: NaiveDate,
    ) -> (Option<Gemeentecode>, bool) {
        let l = &self.lots[usize::from(lot)];
        let rule_changes = l.payer_from.iter().any(|(d, _)| *d > start && *d <= end);
        match self.clients.get(&client) {
            None => (None, !rule_changes),
            Some(r @ Residences::One(_)) => (Some(r.on(start)), !rule_changes),
            Some(r @ Residences::Many(rs)) => {
                let moves = rs.iter().any(|x| x.from > start && x.from <= end);
                (Some(r.on(start)), !rule_changes && !moves)
            }
        }
    }

    pub(crate) fn toewijzing_idx(&self, id: &str) -> Option<u32> {
        self.toewijzing_index.get(id).copied()
    }

    /// Product index for a declared product: by code, else by category key.
    pub(crate) fn product_idx(&self, p: &ProductRef) -> Option<u32> {
        match p.code {
            Some(c) => self.product_index.get(c.as_str()).copied(),
            None => None,
        }
        .or_else(|| self.product_index.get(p.categorie.as_str()).copied())
    }

    /// Whether the provider holds a contract on the lot covering the period.
    pub(crate) fn has_contract(&self, lot: u16, provider: AgbCode, p: &Period) -> bool {
        self.contracts
            .get(&(lot, provider))
            .is_some_and(|ps| ps.iter().any(|c| c.covers(p)))
    }

    /// Whether the toewijzing scope has a volume (for reporting).
    pub fn toewijzing_has_volume(&self, id: &str) -> bool {
        self.toewijzing(id)
            .is_some_and(|t| matches!(t.scope, Scope::Volume(_)))
    }
}

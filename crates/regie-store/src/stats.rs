//! Unique-client counts per municipality × product, as regions report them.
//!
//! Totals are distinct counts, never sums: a client with two products counts
//! once in the row total, and a client who moved counts once in the regional
//! total (seed 001, note under the table).

use crate::region::gemeente;
use crate::{date_str, Result, Store};
use regie_domain::{Gemeentecode, Period};
use std::collections::BTreeMap;

/// One cell key: a product (or `None` for all products) and a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatsCell {
    /// Distinct clients over every municipality, in region or not.
    Total,
    /// Distinct clients living in a member municipality.
    Regional,
    /// Distinct clients in one municipality.
    Municipality(Gemeentecode),
    /// Distinct clients living outside the region.
    OutsideRegion,
}

/// Unique clients with care overlapping a period, per product and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueClientTable {
    /// Region id.
    pub region_id: String,
    /// The period counted.
    pub period: Period,
    /// Member municipalities, in column order.
    pub municipalities: Vec<(Gemeentecode, String)>,
    /// Product keys, in row order.
    pub products: Vec<String>,
    /// `(Some(product), column)` cells and `(None, column)` totals over all products.
    pub counts: BTreeMap<(Option<String>, StatsCell), u64>,
}

impl UniqueClientTable {
    /// A count (0 when absent).
    pub fn get(&self, product: Option<&str>, cell: StatsCell) -> u64 {
        self.counts
            .get(&(product.map(str::to_string), cell))
            .copied()
            .unwrap_or(0)
    }
}

impl Store {
    /// Counts unique clients per municipality × product for toewijzingen that
    /// overlap `period`. The municipality is the one the toewijzing was filed
    /// under (residence during its period; a move splits a toewijzing).
    ///
    /// One pass over the rows ordered by client: each client's distinct
    /// (product, column) keys are counted once. Exact, constant memory, and a
    /// single scan instead of one `COUNT(DISTINCT)` query per grouping.
    pub async fn unique_clients(
        &self,
        region_id: &str,
        period: Period,
    ) -> Result<UniqueClientTable> {
        use futures_util::TryStreamExt;
        let region = self.region(region_id).await?;
        let members: std::collections::HashSet<Gemeentecode> =
            region.municipalities.iter().map(|(c, _)| *c).collect();
        let from = date_str(period.start());
        let to = period
            .end()
            .map(date_str)
            .unwrap_or_else(|| "9999-12-31".into());
        let mut counts: BTreeMap<(Option<String>, StatsCell), u64> = BTreeMap::new();
        let mut products = std::collections::BTreeSet::new();
        let mut rows = sqlx::query_as::<_, (String, String, String)>(
            "SELECT t.bsn, t.product_key, t.gemeente FROM toewijzingen t \
             WHERE t.region_id = $1 AND t.start_date <= $2 AND (t.end_date IS NULL OR t.end_date >= $3) ORDER BY t.bsn",
        )
        .bind(region_id)
        .bind(&to)
        .bind(&from)
        .fetch(&self.pool);
        let mut current: Option<String> = None;
        let mut keys: Vec<(Option<String>, StatsCell)> = Vec::new();
        let flush = |keys: &mut Vec<(Option<String>, StatsCell)>, counts: &mut BTreeMap<_, u64>| {
            keys.sort();
            keys.dedup();
            for k in keys.drain(..) {
                *counts.entry(k).or_insert(0) += 1;
            }
        };
        while let Some((bsn, product, g)) = rows.try_next().await? {
            if current.as_deref() != Some(bsn.as_str()) {
                flush(&mut keys, &mut counts);
                current = Some(bsn);
            }
            let g = gemeente("toewijzingen", "gemeente", &g)?;
            let p = Some(product.clone());
            keys.push((p.clone(), StatsCell::Total));
            keys.push((None, StatsCell::Total));
            if members.contains(&g) {
                for cell in [StatsCell::Regional, StatsCell::Municipality(g)] {
                    keys.push((p.clone(), cell));
                    keys.push((None, cell));
                }
            } else {
                keys.push((p.clone(), StatsCell::OutsideRegion));
                keys.push((None, StatsCell::OutsideRegion));
            }
            products.insert(product);
        }
        flush(&mut keys, &mut counts);
        Ok(UniqueClientTable {
            region_id: region_id.to_string(),
            period,
            municipalities: region.municipalities,
            products: products.into_iter().collect(),
            counts,
        })
    }
}

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
    pub async fn unique_clients(
        &self,
        region_id: &str,
        period: Period,
    ) -> Result<UniqueClientTable> {
        let region = self.region(region_id).await?;
        let from = date_str(period.start());
        let to = period
            .end()
            .map(date_str)
            .unwrap_or_else(|| "9999-12-31".into());
        // Shared filter; `$1` region, `$2` period end, `$3` period start.
        let base = "FROM toewijzingen t WHERE t.region_id = $1 AND t.start_date <= $2 AND (t.end_date IS NULL OR t.end_date >= $3)";
        let member = "t.gemeente IN (SELECT code FROM municipalities m WHERE m.region_id = $1)";
        let mut counts = BTreeMap::new();
        let mut products = std::collections::BTreeSet::new();

        let rows: Vec<(String, String, i64)> = sqlx::query_as(&format!(
            "SELECT t.product_key, t.gemeente, CAST(COUNT(DISTINCT t.bsn) AS BIGINT) {base} GROUP BY t.product_key, t.gemeente"
        ))
        .bind(region_id)
        .bind(&to)
        .bind(&from)
        .fetch_all(&self.pool)
        .await?;
        for (p, g, n) in rows {
            let g = gemeente("toewijzingen", "gemeente", &g)?;
            if region.municipalities.iter().any(|(c, _)| *c == g) {
                counts.insert((Some(p.clone()), StatsCell::Municipality(g)), n as u64);
            }
            products.insert(p);
        }
        // Distinct per product in three scopes, and per municipality over all products.
        for (cell, filter) in [
            (StatsCell::Total, String::new()),
            (StatsCell::Regional, format!(" AND {member}")),
            (StatsCell::OutsideRegion, format!(" AND NOT {member}")),
        ] {
            let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
                "SELECT t.product_key, CAST(COUNT(DISTINCT t.bsn) AS BIGINT) {base}{filter} GROUP BY t.product_key"
            ))
            .bind(region_id)
            .bind(&to)
            .bind(&from)
            .fetch_all(&self.pool)
            .await?;
            for (p, n) in rows {
                counts.insert((Some(p), cell), n as u64);
            }
            let (n,): (i64,) = sqlx::query_as(&format!(
                "SELECT CAST(COUNT(DISTINCT t.bsn) AS BIGINT) {base}{filter}"
            ))
            .bind(region_id)
            .bind(&to)
            .bind(&from)
            .fetch_one(&self.pool)
            .await?;
            counts.insert((None, cell), n as u64);
        }
        let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
            "SELECT t.gemeente, CAST(COUNT(DISTINCT t.bsn) AS BIGINT) {base} GROUP BY t.gemeente"
        ))
        .bind(region_id)
        .bind(&to)
        .bind(&from)
        .fetch_all(&self.pool)
        .await?;
        for (g, n) in rows {
            let g = gemeente("toewijzingen", "gemeente", &g)?;
            if region.municipalities.iter().any(|(c, _)| *c == g) {
                counts.insert((None, StatsCell::Municipality(g)), n as u64);
            }
        }
        Ok(UniqueClientTable {
            region_id: region_id.to_string(),
            period,
            municipalities: region.municipalities,
            products: products.into_iter().collect(),
            counts,
        })
    }
}

//! Bulk insertion of clients with their care, for the population generator
//! and migrations from legacy systems.

use crate::{date_str, placeholders, Backend, Result, Store, StoreError};
use regie_domain::{
    Beschikking, Bsn, Client, Gemeentecode, Persoonsgegevens, Scope, Toewijzing, ToewijzingBook,
};
use sqlx::{Any, Transaction};

/// Rows per multi-row INSERT statement. Keeps the bound-parameter count under
/// SQLite's and PostgreSQL's limits for the widest table (18 columns).
pub const BATCH_ROWS: usize = 500;

/// A toewijzing with the store-side facts it is filed under.
#[derive(Debug, Clone)]
pub struct ToewijzingRow {
    /// The order.
    pub toewijzing: Toewijzing,
    /// Lot it was ordered under.
    pub lot_id: String,
    /// Municipality of residence (payer under woonplaatsbeginsel) for its period.
    pub gemeente: Gemeentecode,
}

/// New clients of one region with all their beschikkingen and toewijzingen.
/// Written in a single transaction: all or nothing.
#[derive(Debug, Default, Clone)]
pub struct SimBatch {
    /// Clients (must not exist yet).
    pub clients: Vec<Client>,
    /// Their beschikkingen.
    pub beschikkingen: Vec<Beschikking>,
    /// Their toewijzingen.
    pub toewijzingen: Vec<ToewijzingRow>,
    /// Personal data (name, sex, address) of clients of this batch; clients
    /// without an entry get no WMO301 until it is stored.
    pub persoonsgegevens: Vec<(Bsn, Persoonsgegevens)>,
}

impl SimBatch {
    /// Checks every toewijzing against its beschikking and against the others
    /// in the batch (no overlaps for the same client, product and provider).
    /// Since the batch's clients are new, this covers all their care.
    pub fn validate(&self) -> Result<()> {
        let by_id: std::collections::HashMap<&str, &Beschikking> = self
            .beschikkingen
            .iter()
            .map(|b| (b.id.as_str(), b))
            .collect();
        let mut book = ToewijzingBook::new();
        for row in &self.toewijzingen {
            let t = &row.toewijzing;
            let b = by_id
                .get(t.beschikking_id.as_str())
                .ok_or_else(|| StoreError::NotFound {
                    kind: "beschikking",
                    id: t.beschikking_id.clone(),
                })?;
            book.add(t.clone(), b)?;
        }
        Ok(())
    }
}

impl Store {
    /// Inserts a batch of new clients with their care in one transaction.
    pub async fn insert_batch(&self, region_id: &str, batch: &SimBatch) -> Result<()> {
        batch.validate()?;
        let mut tx = self.pool.begin().await?;
        insert_clients(&mut tx, self.backend, region_id, &batch.clients).await?;
        insert_persoonsgegevens(&mut tx, self.backend, &batch.persoonsgegevens).await?;
        insert_beschikkingen(&mut tx, self.backend, region_id, &batch.beschikkingen).await?;
        insert_toewijzingen(&mut tx, self.backend, region_id, &batch.toewijzingen).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes every client (and, by cascade, their care) of a region.
    pub async fn delete_region_clients(&self, region_id: &str) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        // Explicit deletes in dependency order: cascades are not relied upon
        // for speed or for engines with foreign keys off.
        for table in ["toewijzingen", "beschikkingen"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE region_id = $1"))
                .bind(region_id)
                .execute(&mut *tx)
                .await?;
        }
        for table in ["residences", "client_persoonsgegevens"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE bsn IN (SELECT bsn FROM clients WHERE region_id = $1)"
            ))
            .bind(region_id)
            .execute(&mut *tx)
            .await?;
        }
        let n = sqlx::query("DELETE FROM clients WHERE region_id = $1")
            .bind(region_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        crate::audit::record_tx(
            &mut tx,
            "regie",
            "clients.delete",
            &format!("region/{region_id}"),
            &format!("{n} clients"),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Number of clients stored for a region.
    pub async fn client_count(&self, region_id: &str) -> Result<i64> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM clients WHERE region_id = $1")
                .bind(region_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(n)
    }
}

fn conflict(e: sqlx::Error, what: &str) -> StoreError {
    if crate::is_unique_violation(&e) {
        StoreError::Conflict(format!("{what} already stored: {e}"))
    } else {
        e.into()
    }
}

async fn insert_clients(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    region_id: &str,
    clients: &[Client],
) -> Result<()> {
    for chunk in clients.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO clients (bsn, birth_date, region_id) VALUES {}",
            placeholders(backend, chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q
                .bind(c.bsn().to_string())
                .bind(date_str(c.birth_date()))
                .bind(region_id);
        }
        q.execute(&mut **tx)
            .await
            .map_err(|e| conflict(e, "client"))?;
    }
    let residences: Vec<_> = clients
        .iter()
        .flat_map(|c| c.residences().iter().map(move |r| (c.bsn(), r)))
        .collect();
    for chunk in residences.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO residences (bsn, from_date, gemeente) VALUES {}",
            placeholders(backend, chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (bsn, r) in chunk {
            q = q
                .bind(bsn.to_string())
                .bind(date_str(r.from))
                .bind(r.gemeente.to_string());
        }
        q.execute(&mut **tx)
            .await
            .map_err(|e| conflict(e, "residence"))?;
    }
    Ok(())
}

async fn insert_persoonsgegevens(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    rows: &[(Bsn, Persoonsgegevens)],
) -> Result<()> {
    for chunk in rows.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO client_persoonsgegevens ({}) VALUES {}",
            crate::persoon::COLS,
            placeholders(backend, chunk.len(), crate::persoon::NCOLS)
        );
        let mut q = sqlx::query(&sql);
        for (bsn, p) in chunk {
            q = crate::persoon::bind_row(q, *bsn, p);
        }
        q.execute(&mut **tx)
            .await
            .map_err(|e| conflict(e, "persoonsgegevens"))?;
    }
    Ok(())
}

pub(crate) async fn insert_beschikkingen(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    region_id: &str,
    rows: &[Beschikking],
) -> Result<()> {
    for chunk in rows.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO beschikkingen (id, region_id, bsn, aard, categorie, productcode, volume, unit, frequentie, duur_start, duur_end, decided_on, motivation, rechtsmiddelen) VALUES {}",
            placeholders(backend, chunk.len(), 14)
        );
        let mut q = sqlx::query(&sql);
        for b in chunk {
            q = q
                .bind(&b.id)
                .bind(region_id)
                .bind(b.client.to_string())
                .bind(&b.aard)
                .bind(b.product.categorie.to_string())
                .bind(b.product.code.map(|c| c.to_string()))
                .bind(b.intensiteit.map(|o| i64::from(o.volume)))
                .bind(b.intensiteit.map(|o| o.unit.code()))
                .bind(b.intensiteit.map(|o| o.frequentie.code()))
                .bind(date_str(b.duur.start()))
                .bind(b.duur.end().map(date_str))
                .bind(date_str(b.decided_on))
                .bind(&b.motivation)
                .bind(&b.rechtsmiddelen);
        }
        q.execute(&mut **tx)
            .await
            .map_err(|e| conflict(e, "beschikking"))?;
    }
    Ok(())
}

pub(crate) async fn insert_toewijzingen(
    tx: &mut sqlx::AnyConnection,
    backend: Backend,
    region_id: &str,
    rows: &[ToewijzingRow],
) -> Result<()> {
    for chunk in rows.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO toewijzingen (id, region_id, beschikking_id, bsn, provider_agb, lot_id, product_key, categorie, productcode, gemeente, scope_kind, volume, unit, frequentie, budget_cents, start_date, end_date, reden_wijziging) VALUES {}",
            placeholders(backend, chunk.len(), 18)
        );
        let mut q = sqlx::query(&sql);
        for row in chunk {
            let t = &row.toewijzing;
            let (kind, volume, unit, freq, budget) = match t.scope {
                Scope::Volume(o) => (
                    "volume",
                    Some(i64::from(o.volume)),
                    Some(o.unit.code()),
                    Some(o.frequentie.code()),
                    None,
                ),
                Scope::Budget(m) => ("budget", None, None, None, Some(m.cents())),
                Scope::Unspecified => ("unspecified", None, None, None, None),
            };
            q = q
                .bind(&t.id)
                .bind(region_id)
                .bind(&t.beschikking_id)
                .bind(t.client.to_string())
                .bind(t.provider.to_string())
                .bind(&row.lot_id)
                .bind(t.product.key())
                .bind(t.product.categorie.to_string())
                .bind(t.product.code.map(|c| c.to_string()))
                .bind(row.gemeente.to_string())
                .bind(kind)
                .bind(volume)
                .bind(unit)
                .bind(freq)
                .bind(budget)
                .bind(date_str(t.period.start()))
                .bind(t.period.end().map(date_str))
                .bind(t.reden_wijziging.map(|r| i32::from(r.0)));
        }
        q.execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "toewijzing"))?;
    }
    Ok(())
}

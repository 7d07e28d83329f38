//! Region catalogue: municipalities, providers, lots, products, tariffs, contracts.

use crate::{date_str, parse_date, Result, Store, StoreError};
use regie_domain::{
    Contract, FundingVariant, Gemeentecode, Lot, Money, PayerRule, Period, ProcurementForm,
    Product, ProductCategorie, ProductCode, Provider, Region, TariffPeriod, Unit,
};
use sqlx::Row;

/// A lot read back from the store, with its products.
#[derive(Debug, Clone)]
pub struct StoredLot {
    /// Lot id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Procurement form.
    pub procurement: ProcurementForm,
    /// Funding variant.
    pub funding: FundingVariant,
    /// Payer rule.
    pub payer: PayerRule,
    /// Products with tariffs.
    pub products: Vec<Product>,
}

/// Summary of a stored region.
#[derive(Debug, Clone)]
pub struct StoredRegion {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Member municipalities (code, name).
    pub municipalities: Vec<(Gemeentecode, String)>,
    /// Centrumgemeente.
    pub centrumgemeente: Option<Gemeentecode>,
}

/// What `save_region` needs; borrowed from a parsed region file.
pub struct RegionInput<'a> {
    /// The region.
    pub region: &'a Region,
    /// Where it came from (file path).
    pub source_file: &'a str,
    /// The full source text, kept for audit and reload.
    pub document: &'a str,
    /// Providers.
    pub providers: &'a [Provider],
    /// Lots with products.
    pub lots: &'a [Lot],
    /// Contracts.
    pub contracts: &'a [Contract],
}

impl Store {
    /// Stores (or replaces) a region's catalogue in one transaction. Clients and
    /// care already stored for the region are kept: catalogue rows are replaced,
    /// and the region row is updated in place.
    pub async fn save_region(&self, input: RegionInput<'_>, actor: &str) -> Result<()> {
        let r = input.region;
        let mut tx = self.pool.begin().await?;
        let now = chrono::Utc::now()
            .naive_utc()
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string();
        let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM regions WHERE id = $1")
            .bind(r.id())
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            sqlx::query("UPDATE regions SET name = $1, centrumgemeente = $2, source_file = $3, document = $4, loaded_at = $5 WHERE id = $6")
                .bind(r.name())
                .bind(r.centrumgemeente().map(|g| g.to_string()))
                .bind(input.source_file)
                .bind(input.document)
                .bind(&now)
                .bind(r.id())
                .execute(&mut *tx)
                .await?;
            for table in ["municipalities", "lots", "products", "tariffs", "contracts"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE region_id = $1"))
                    .bind(r.id())
                    .execute(&mut *tx)
                    .await?;
            }
        } else {
            sqlx::query("INSERT INTO regions (id, name, centrumgemeente, source_file, document, loaded_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(r.id())
                .bind(r.name())
                .bind(r.centrumgemeente().map(|g| g.to_string()))
                .bind(input.source_file)
                .bind(input.document)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
        }
        for m in r.municipalities() {
            sqlx::query("INSERT INTO municipalities (region_id, code, name) VALUES ($1, $2, $3)")
                .bind(r.id())
                .bind(m.code.to_string())
                .bind(&m.name)
                .execute(&mut *tx)
                .await?;
        }
        for p in input.providers {
            // Providers are shared across regions: upsert by AGB code.
            sqlx::query("DELETE FROM providers WHERE agb = $1")
                .bind(p.agb.to_string())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO providers (agb, kvk, name, admission) VALUES ($1, $2, $3, $4)",
            )
            .bind(p.agb.to_string())
            .bind(p.kvk.map(|k| k.to_string()))
            .bind(&p.name)
            .bind(serde_json::to_string(&p.admission)?)
            .execute(&mut *tx)
            .await?;
        }
        for lot in input.lots {
            sqlx::query("INSERT INTO lots (region_id, id, name, procurement, funding, payer) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(r.id())
                .bind(&lot.id)
                .bind(&lot.name)
                .bind(serde_json::to_string(&lot.procurement)?)
                .bind(serde_json::to_string(&lot.funding)?)
                .bind(serde_json::to_string(&lot.payer)?)
                .execute(&mut *tx)
                .await?;
            for p in &lot.products {
                sqlx::query("INSERT INTO products (region_id, product_key, lot_id, categorie, productcode, name, unit, level) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(r.id())
                    .bind(p.key())
                    .bind(&lot.id)
                    .bind(p.categorie().to_string())
                    .bind(p.code().map(|c| c.to_string()))
                    .bind(p.name())
                    .bind(p.unit().code())
                    .bind(p.level())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| {
                        if crate::is_unique_violation(&e) {
                            StoreError::Conflict(format!("product {} appears in more than one lot of region {}", p.key(), r.id()))
                        } else {
                            e.into()
                        }
                    })?;
                for t in p.tariffs() {
                    sqlx::query("INSERT INTO tariffs (region_id, product_key, valid_from, valid_to, cents_per_unit, assumption) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(r.id())
                        .bind(p.key())
                        .bind(date_str(t.valid.start()))
                        .bind(t.valid.end().map(date_str))
                        .bind(t.per_unit.cents())
                        .bind(t.assumption.as_deref())
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        for c in input.contracts {
            let period = c.period();
            sqlx::query("INSERT INTO contracts (id, region_id, lot_id, addressee_agb, party, start_date, end_date, max_end_date, terms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(&c.id)
                .bind(r.id())
                .bind(&c.lot_id)
                .bind(c.party.addressee().to_string())
                .bind(serde_json::to_string(&c.party)?)
                .bind(date_str(c.start))
                .bind(period.end().map(date_str))
                .bind(date_str(c.max_end()))
                .bind(serde_json::to_string(&c)?)
                .execute(&mut *tx)
                .await?;
        }
        crate::audit::record_tx(
            &mut tx,
            actor,
            "region.load",
            &format!("region/{}", r.id()),
            input.source_file,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads a region's members.
    pub async fn region(&self, id: &str) -> Result<StoredRegion> {
        let row = sqlx::query("SELECT name, centrumgemeente FROM regions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "region",
                id: id.to_string(),
            })?;
        let name: String = row.try_get(0)?;
        let centrum: Option<String> = row.try_get(1)?;
        let rows =
            sqlx::query("SELECT code, name FROM municipalities WHERE region_id = $1 ORDER BY code")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        let mut municipalities = Vec::with_capacity(rows.len());
        for row in rows {
            let code: String = row.try_get(0)?;
            municipalities.push((
                gemeente("municipalities", "code", &code)?,
                row.try_get::<String, _>(1)?,
            ));
        }
        Ok(StoredRegion {
            id: id.to_string(),
            name,
            municipalities,
            centrumgemeente: centrum
                .map(|c| gemeente("regions", "centrumgemeente", &c))
                .transpose()?,
        })
    }

    /// The region file text as loaded, with the path it came from.
    pub async fn region_document(&self, id: &str) -> Result<(String, String)> {
        sqlx::query_as("SELECT document, source_file FROM regions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "region",
                id: id.to_string(),
            })
    }

    /// Ids of all stored regions.
    pub async fn region_ids(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM regions ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Reads a region's lots with their products and tariffs.
    pub async fn lots(&self, region_id: &str) -> Result<Vec<StoredLot>> {
        let lots = sqlx::query("SELECT id, name, procurement, funding, payer FROM lots WHERE region_id = $1 ORDER BY id")
            .bind(region_id)
            .fetch_all(&self.pool)
            .await?;
        let products = sqlx::query("SELECT product_key, lot_id, categorie, productcode, name, unit, level FROM products WHERE region_id = $1 ORDER BY product_key")
            .bind(region_id)
            .fetch_all(&self.pool)
            .await?;
        let tariffs = sqlx::query("SELECT product_key, valid_from, valid_to, cents_per_unit, assumption FROM tariffs WHERE region_id = $1 ORDER BY product_key, valid_from")
            .bind(region_id)
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for l in lots {
            let id: String = l.try_get(0)?;
            let mut prods = Vec::new();
            for p in products
                .iter()
                .filter(|p| p.try_get::<String, _>(1).ok().as_deref() == Some(id.as_str()))
            {
                let key: String = p.try_get(0)?;
                let mut tps = Vec::new();
                for t in tariffs
                    .iter()
                    .filter(|t| t.try_get::<String, _>(0).ok().as_deref() == Some(key.as_str()))
                {
                    let from = parse_date("tariffs", "valid_from", &t.try_get::<String, _>(1)?)?;
                    let to = t
                        .try_get::<Option<String>, _>(2)?
                        .map(|s| parse_date("tariffs", "valid_to", &s))
                        .transpose()?;
                    tps.push(TariffPeriod {
                        valid: Period::new(from, to)
                            .map_err(|e| corrupt("tariffs", "valid_to", e))?,
                        per_unit: Money::from_cents(t.try_get(3)?),
                        assumption: t.try_get(4)?,
                    });
                }
                let cat: ProductCategorie = p
                    .try_get::<String, _>(2)?
                    .parse()
                    .map_err(|e| corrupt("products", "categorie", e))?;
                let code: Option<ProductCode> = p
                    .try_get::<Option<String>, _>(3)?
                    .map(|c| c.parse().map_err(|e| corrupt("products", "productcode", e)))
                    .transpose()?;
                let unit_code: String = p.try_get(5)?;
                let unit = Unit::from_code(&unit_code)
                    .ok_or_else(|| corrupt("products", "unit", unit_code))?;
                prods.push(
                    Product::new(
                        cat,
                        code,
                        p.try_get::<String, _>(4)?,
                        unit,
                        p.try_get(6)?,
                        tps,
                    )
                    .map_err(|e| corrupt("products", "tariffs", e))?,
                );
            }
            out.push(StoredLot {
                name: l.try_get(1)?,
                procurement: serde_json::from_str(&l.try_get::<String, _>(2)?)?,
                funding: serde_json::from_str(&l.try_get::<String, _>(3)?)?,
                payer: serde_json::from_str(&l.try_get::<String, _>(4)?)?,
                products: prods,
                id,
            });
        }
        Ok(out)
    }

    /// Contract addressees per lot: `(contract id, lot id, AGB)`.
    pub async fn contract_addressees(
        &self,
        region_id: &str,
    ) -> Result<Vec<(String, String, regie_domain::AgbCode)>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT id, lot_id, addressee_agb FROM contracts WHERE region_id = $1 ORDER BY id",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, lot, agb)| {
                Ok((
                    id,
                    lot,
                    agb.parse()
                        .map_err(|e| corrupt("contracts", "addressee_agb", e))?,
                ))
            })
            .collect()
    }
}

pub(crate) fn corrupt(
    table: &'static str,
    column: &'static str,
    e: impl std::fmt::Display,
) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        detail: e.to_string(),
    }
}

pub(crate) fn gemeente(table: &'static str, column: &'static str, s: &str) -> Result<Gemeentecode> {
    s.parse().map_err(|e| corrupt(table, column, e))
}

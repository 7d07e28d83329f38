//! Single-record care changes from the toegang: beschikkingen, toewijzingen,
//! endings and moves. Each is one transaction with an audit record.

use crate::batch::{insert_beschikkingen, insert_toewijzingen, ToewijzingRow};
use crate::region::{corrupt, gemeente};
use crate::{date_str, parse_date, Result, Store, StoreError};
use regie_domain::{
    Beschikking, Bsn, CareError, Client, Gemeentecode, Period, Persoonsgegevens, RedenWijziging,
    Residence,
};
use sqlx::{AnyConnection, Row};

/// A stored toewijzing, flattened for listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToewijzingSummary {
    /// Id.
    pub id: String,
    /// Client.
    pub bsn: Bsn,
    /// Provider AGB.
    pub provider: String,
    /// Product key.
    pub product_key: String,
    /// Municipality filed under.
    pub gemeente: Gemeentecode,
    /// Period.
    pub period: Period,
}

impl Store {
    /// Stores a new client, with their personal data (name, sex, address)
    /// when known; without it the client gets no WMO301 until it is stored.
    pub async fn add_client(
        &self,
        region_id: &str,
        client: &Client,
        persoonsgegevens: Option<&Persoonsgegevens>,
        actor: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO clients (bsn, birth_date, region_id) VALUES ($1, $2, $3)")
            .bind(client.bsn().to_string())
            .bind(date_str(client.birth_date()))
            .bind(region_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if crate::is_unique_violation(&e) {
                    StoreError::Conflict(format!("client {} already stored", client.bsn()))
                } else {
                    e.into()
                }
            })?;
        for r in client.residences() {
            sqlx::query("INSERT INTO residences (bsn, from_date, gemeente) VALUES ($1, $2, $3)")
                .bind(client.bsn().to_string())
                .bind(date_str(r.from))
                .bind(r.gemeente.to_string())
                .execute(&mut *tx)
                .await?;
        }
        if let Some(p) = persoonsgegevens {
            crate::persoon::upsert(&mut tx, client.bsn(), p).await?;
        }
        crate::audit::record_tx(
            &mut tx,
            actor,
            "client.create",
            &format!("client/{}", client.bsn()),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads a client with residence history.
    pub async fn client(&self, bsn: Bsn) -> Result<Client> {
        let row = sqlx::query("SELECT birth_date FROM clients WHERE bsn = $1")
            .bind(bsn.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "client",
                id: bsn.to_string(),
            })?;
        let birth = parse_date("clients", "birth_date", &row.try_get::<String, _>(0)?)?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT from_date, gemeente FROM residences WHERE bsn = $1 ORDER BY from_date",
        )
        .bind(bsn.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut residences = Vec::new();
        for (from, g) in rows {
            residences.push(Residence {
                from: parse_date("residences", "from_date", &from)?,
                gemeente: gemeente("residences", "gemeente", &g)?,
            });
        }
        Client::from_history(bsn, birth, residences)
            .map_err(|e| corrupt("residences", "from_date", e))
    }

    /// Stores a beschikking.
    pub async fn add_beschikking(
        &self,
        region_id: &str,
        b: &Beschikking,
        actor: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        insert_beschikkingen(&mut tx, self.backend, region_id, std::slice::from_ref(b)).await?;
        crate::audit::record_tx(
            &mut tx,
            actor,
            "beschikking.create",
            &format!("beschikking/{}", b.id),
            &b.aard,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a toewijzing after checking it against its beschikking and
    /// against stored toewijzingen for the same client, product and provider.
    pub async fn add_toewijzing(
        &self,
        region_id: &str,
        row: &ToewijzingRow,
        actor: &str,
    ) -> Result<()> {
        let b = self.beschikking(&row.toewijzing.beschikking_id).await?;
        let mut tx = self.pool.begin().await?;
        add_toewijzing_in(&mut tx, self.backend, region_id, row, &b, actor).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads a beschikking.
    pub async fn beschikking(&self, id: &str) -> Result<Beschikking> {
        let mut c = self.pool.acquire().await?;
        load_beschikking(&mut c, id).await
    }

    /// Ends a toewijzing on `end` with a reden wijziging (WMO002).
    pub async fn end_toewijzing(
        &self,
        id: &str,
        end: chrono::NaiveDate,
        reden: RedenWijziging,
        actor: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let row: Option<(String,)> =
            sqlx::query_as("SELECT start_date FROM toewijzingen WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let (start,) = row.ok_or_else(|| StoreError::NotFound {
            kind: "toewijzing",
            id: id.to_string(),
        })?;
        let start = parse_date("toewijzingen", "start_date", &start)?;
        if end < start {
            return Err(CareError::EndBeforeStart {
                id: id.to_string(),
                start,
                end,
            }
            .into());
        }
        sqlx::query("UPDATE toewijzingen SET end_date = $1, reden_wijziging = $2 WHERE id = $3")
            .bind(date_str(end))
            .bind(i32::from(reden.0))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        crate::audit::record_tx(
            &mut tx,
            actor,
            "toewijzing.end",
            &format!("toewijzing/{id}"),
            &format!("end {end}, reden {}", reden.0),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Toewijzingen of a client, ordered by start.
    pub async fn toewijzingen_of(&self, bsn: Bsn) -> Result<Vec<ToewijzingSummary>> {
        let rows: Vec<(String, String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, provider_agb, product_key, gemeente, start_date, end_date FROM toewijzingen WHERE bsn = $1 ORDER BY start_date, id",
        )
        .bind(bsn.to_string())
        .fetch_all(&self.pool)
        .await?;
        let t = "toewijzingen";
        rows.into_iter()
            .map(|(id, provider, product_key, g, s, e)| {
                let start = parse_date(t, "start_date", &s)?;
                let end = e.map(|e| parse_date(t, "end_date", &e)).transpose()?;
                Ok(ToewijzingSummary {
                    id,
                    bsn,
                    provider,
                    product_key,
                    gemeente: gemeente(t, "gemeente", &g)?,
                    period: Period::new(start, end).map_err(|e| corrupt(t, "end_date", e))?,
                })
            })
            .collect()
    }

    /// Records a move (woonplaatsbeginsel): the residence history gets the new
    /// municipality from `date`; toewijzingen running across the move are ended
    /// the day before with the given WMO002 reden and continued under
    /// the new municipality from `date`, so the payer changes at the move.
    pub async fn record_move(
        &self,
        bsn: Bsn,
        to: Gemeentecode,
        date: chrono::NaiveDate,
        reden: RedenWijziging,
        actor: &str,
    ) -> Result<Vec<String>> {
        let mut client = self.client(bsn).await?;
        client
            .move_to(to, date)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let mut tx = self.pool.begin().await?;
        let new_ids = move_in_tx(&mut tx, bsn, to, date, reden).await?;
        crate::audit::record_tx(
            &mut tx,
            actor,
            "client.move",
            &format!("client/{bsn}"),
            &format!("to {to} on {date}; continued {}", new_ids.join(",")),
        )
        .await?;
        tx.commit().await?;
        Ok(new_ids)
    }
}

/// The table side of a move inside an open transaction: a residence row from
/// `date`; toewijzingen running across the move end the day before with
/// `reden` and continue as `ID-VYYYYMMDD` under the new municipality from
/// `date`. Returns the ids of the continuations. Used by
/// [`Store::record_move`] and by the access workflow's `Verhuisd` event.
pub(crate) async fn move_in_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    bsn: Bsn,
    to: Gemeentecode,
    date: chrono::NaiveDate,
    reden: RedenWijziging,
) -> Result<Vec<String>> {
    sqlx::query("INSERT INTO residences (bsn, from_date, gemeente) VALUES ($1, $2, $3)")
        .bind(bsn.to_string())
        .bind(date_str(date))
        .bind(to.to_string())
        .execute(&mut **tx)
        .await?;
    let d = date_str(date);
    let running = sqlx::query(
            "SELECT id, region_id, beschikking_id, provider_agb, lot_id, product_key, categorie, productcode, gemeente, scope_kind, volume, unit, frequentie, budget_cents, start_date, end_date FROM toewijzingen WHERE bsn = $1 AND start_date < $2 AND (end_date IS NULL OR end_date >= $3)",
        )
        .bind(bsn.to_string())
        .bind(&d)
        .bind(&d)
        .fetch_all(&mut **tx)
        .await?;
    let day_before = date.pred_opt().expect("date");
    let mut new_ids = Vec::new();
    for r in running {
        let id: String = r.try_get(0)?;
        let new_id = format!("{id}-V{}", date.format("%Y%m%d"));
        sqlx::query("UPDATE toewijzingen SET end_date = $1, reden_wijziging = $2 WHERE id = $3")
            .bind(date_str(day_before))
            .bind(i32::from(reden.0))
            .bind(&id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
                "INSERT INTO toewijzingen (id, region_id, beschikking_id, bsn, provider_agb, lot_id, product_key, categorie, productcode, gemeente, scope_kind, volume, unit, frequentie, budget_cents, start_date, end_date, reden_wijziging) \
                 SELECT $1, region_id, beschikking_id, bsn, provider_agb, lot_id, product_key, categorie, productcode, $2, scope_kind, volume, unit, frequentie, budget_cents, $3, $4, NULL FROM toewijzingen WHERE id = $5",
            )
            .bind(&new_id)
            .bind(to.to_string())
            .bind(&d)
            .bind(r.try_get::<Option<String>, _>(15)?)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
        new_ids.push(new_id);
    }
    Ok(new_ids)
}

/// Reads a beschikking on an open connection (inside the caller's transaction).
pub(crate) async fn load_beschikking(c: &mut AnyConnection, id: &str) -> Result<Beschikking> {
    let r = sqlx::query("SELECT bsn, aard, categorie, productcode, volume, unit, frequentie, duur_start, duur_end, decided_on, motivation, rechtsmiddelen FROM beschikkingen WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
        .ok_or_else(|| StoreError::NotFound { kind: "beschikking", id: id.to_string() })?;
    let t = "beschikkingen";
    let volume: Option<i64> = r.try_get(4)?;
    let unit: Option<String> = r.try_get(5)?;
    let freq: Option<String> = r.try_get(6)?;
    let intensiteit = match (volume, unit, freq) {
        (Some(v), Some(u), Some(f)) => Some(regie_domain::Omvang {
            volume: u32::try_from(v).map_err(|e| corrupt(t, "volume", e))?,
            unit: regie_domain::Unit::from_code(&u).ok_or_else(|| corrupt(t, "unit", u))?,
            frequentie: regie_domain::Frequentie::from_code(&f)
                .ok_or_else(|| corrupt(t, "frequentie", f))?,
        }),
        _ => None,
    };
    let start = parse_date(t, "duur_start", &r.try_get::<String, _>(7)?)?;
    let end = r
        .try_get::<Option<String>, _>(8)?
        .map(|s| parse_date(t, "duur_end", &s))
        .transpose()?;
    Ok(Beschikking {
        id: id.to_string(),
        client: r
            .try_get::<String, _>(0)?
            .parse()
            .map_err(|e| corrupt(t, "bsn", e))?,
        aard: r.try_get(1)?,
        product: regie_domain::ProductRef {
            categorie: r
                .try_get::<String, _>(2)?
                .parse()
                .map_err(|e| corrupt(t, "categorie", e))?,
            code: r
                .try_get::<Option<String>, _>(3)?
                .map(|c| c.parse().map_err(|e| corrupt(t, "productcode", e)))
                .transpose()?,
        },
        intensiteit,
        duur: Period::new(start, end).map_err(|e| corrupt(t, "duur_end", e))?,
        decided_on: parse_date(t, "decided_on", &r.try_get::<String, _>(9)?)?,
        motivation: r.try_get(10)?,
        rechtsmiddelen: r.try_get(11)?,
    })
}

/// Stores a toewijzing inside the caller's transaction after checking it
/// against its beschikking and against stored toewijzingen for the same
/// client, product and provider (no stapeling, iWmo OP259), with an audit record.
pub(crate) async fn add_toewijzing_in(
    c: &mut AnyConnection,
    backend: crate::Backend,
    region_id: &str,
    row: &ToewijzingRow,
    b: &Beschikking,
    actor: &str,
) -> Result<()> {
    let t = &row.toewijzing;
    t.check_against(b)?;
    if let Some(existing) = clash(c, t, None).await? {
        return Err(CareError::Overlap {
            new: t.id.clone(),
            existing,
        }
        .into());
    }
    insert_toewijzingen(c, backend, region_id, std::slice::from_ref(row)).await?;
    crate::audit::record_tx(
        c,
        actor,
        "toewijzing.create",
        &format!("toewijzing/{}", t.id),
        &t.period.to_string(),
    )
    .await?;
    Ok(())
}

/// A stored toewijzing (other than `except`) for the same client, product and
/// provider whose period overlaps `t`'s.
pub(crate) async fn clash(
    c: &mut AnyConnection,
    t: &regie_domain::Toewijzing,
    except: Option<&str>,
) -> Result<Option<String>> {
    let end = t
        .period
        .end()
        .map(date_str)
        .unwrap_or_else(|| "9999-12-31".into());
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM toewijzingen WHERE bsn = $1 AND product_key = $2 AND provider_agb = $3 AND start_date <= $4 AND (end_date IS NULL OR end_date >= $5) AND id <> $6 LIMIT 1",
    )
    .bind(t.client.to_string())
    .bind(t.product.key())
    .bind(t.provider.to_string())
    .bind(&end)
    .bind(date_str(t.period.start()))
    .bind(except.unwrap_or(""))
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.map(|r| r.0))
}

//! Personal data of clients (table `client_persoonsgegevens`, migration 0006):
//! what a WMO301 needs to name and address the client.

use crate::region::corrupt;
use crate::{Result, Store, StoreError};
use regie_domain::persoon::{
    Achternaam, Adres, Geslacht, Geslachtsnaam, Huisletter, Huisnummer, HuisnummerToevoeging,
    Naamgebruik, Persoonsgegevens, Plaatsnaam, Postcode, Straatnaam, Voorletters, Voorvoegsel,
};
use regie_domain::Bsn;
use sqlx::{AnyConnection, Row};

/// Columns in insert order.
pub(crate) const COLS: &str = "bsn, voorvoegsel, achternaam, voorletters, naamgebruik, partner_voorvoegsel, partner_achternaam, geslacht, straatnaam, huisnummer, huisletter, huisnummer_toevoeging, postcode, plaatsnaam";
/// Number of columns in [`COLS`].
pub(crate) const NCOLS: usize = 14;

/// Binds one row's values in [`COLS`] order.
pub(crate) fn bind_row<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    bsn: Bsn,
    p: &Persoonsgegevens,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let partner = p.naamgebruik.partnernaam();
    q.bind(bsn.to_string())
        .bind(
            p.geslachtsnaam
                .voorvoegsel
                .as_ref()
                .map(|v| v.as_str().to_string()),
        )
        .bind(p.geslachtsnaam.achternaam.as_str().to_string())
        .bind(p.voorletters.as_str().to_string())
        .bind(p.naamgebruik.code())
        .bind(partner.and_then(|n| n.voorvoegsel.as_ref().map(|v| v.as_str().to_string())))
        .bind(partner.map(|n| n.achternaam.as_str().to_string()))
        .bind(p.geslacht.code())
        .bind(p.adres.straatnaam.as_str().to_string())
        .bind(i64::from(p.adres.huisnummer.get()))
        .bind(p.adres.huisletter.map(|l| l.get().to_string()))
        .bind(p.adres.toevoeging.as_ref().map(|t| t.as_str().to_string()))
        .bind(p.adres.postcode.as_str().to_string())
        .bind(p.adres.plaatsnaam.as_str().to_string())
}

/// Inserts or replaces a client's personal data inside an open transaction.
pub(crate) async fn upsert(c: &mut AnyConnection, bsn: Bsn, p: &Persoonsgegevens) -> Result<()> {
    // Delete + insert rather than an upsert clause: the same SQL on both
    // backends, and a replaced row never keeps a stale partner name.
    sqlx::query("DELETE FROM client_persoonsgegevens WHERE bsn = $1")
        .bind(bsn.to_string())
        .execute(&mut *c)
        .await?;
    let sql = format!(
        "INSERT INTO client_persoonsgegevens ({COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)"
    );
    bind_row(sqlx::query(&sql), bsn, p)
        .execute(&mut *c)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.message().to_lowercase().contains("foreign") => {
                StoreError::NotFound {
                    kind: "client",
                    id: bsn.to_string(),
                }
            }
            e => e.into(),
        })?;
    Ok(())
}

/// Reads a client's personal data, `None` when none is stored.
pub(crate) async fn load(c: &mut AnyConnection, bsn: &str) -> Result<Option<Persoonsgegevens>> {
    let row = sqlx::query(&format!(
        "SELECT {COLS} FROM client_persoonsgegevens WHERE bsn = $1"
    ))
    .bind(bsn)
    .fetch_optional(&mut *c)
    .await?;
    row.as_ref().map(from_row).transpose()
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Persoonsgegevens> {
    const T: &str = "client_persoonsgegevens";
    let naam = |vv: Option<String>, an: String, col: &'static str| -> Result<Geslachtsnaam> {
        Ok(Geslachtsnaam {
            voorvoegsel: vv
                .map(Voorvoegsel::new)
                .transpose()
                .map_err(|e| corrupt(T, col, e))?,
            achternaam: Achternaam::new(an).map_err(|e| corrupt(T, col, e))?,
        })
    };
    let eigen = naam(r.try_get(1)?, r.try_get(2)?, "achternaam")?;
    let partner = match r.try_get::<Option<String>, _>(6)? {
        Some(an) => Some(naam(r.try_get(5)?, an, "partner_achternaam")?),
        None => None,
    };
    let huisnummer: i64 = r.try_get(9)?;
    Ok(Persoonsgegevens {
        geslachtsnaam: eigen,
        voorletters: Voorletters::new(r.try_get::<String, _>(3)?)
            .map_err(|e| corrupt(T, "voorletters", e))?,
        naamgebruik: Naamgebruik::from_code(&r.try_get::<String, _>(4)?, partner)
            .map_err(|e| corrupt(T, "naamgebruik", e))?,
        geslacht: Geslacht::from_code(&r.try_get::<String, _>(7)?)
            .map_err(|e| corrupt(T, "geslacht", e))?,
        adres: Adres {
            straatnaam: Straatnaam::new(r.try_get::<String, _>(8)?)
                .map_err(|e| corrupt(T, "straatnaam", e))?,
            huisnummer: u32::try_from(huisnummer)
                .ok()
                .and_then(|n| Huisnummer::new(n).ok())
                .ok_or_else(|| corrupt(T, "huisnummer", huisnummer))?,
            huisletter: r
                .try_get::<Option<String>, _>(10)?
                .map(|l| Huisletter::new(&l))
                .transpose()
                .map_err(|e| corrupt(T, "huisletter", e))?,
            toevoeging: r
                .try_get::<Option<String>, _>(11)?
                .map(HuisnummerToevoeging::new)
                .transpose()
                .map_err(|e| corrupt(T, "huisnummer_toevoeging", e))?,
            postcode: Postcode::new(&r.try_get::<String, _>(12)?)
                .map_err(|e| corrupt(T, "postcode", e))?,
            plaatsnaam: Plaatsnaam::new(r.try_get::<String, _>(13)?)
                .map_err(|e| corrupt(T, "plaatsnaam", e))?,
        },
    })
}

impl Store {
    /// Stores (or replaces) a stored client's personal data, with an audit record.
    pub async fn set_persoonsgegevens(
        &self,
        bsn: Bsn,
        p: &Persoonsgegevens,
        actor: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        upsert(&mut tx, bsn, p).await?;
        // The audit detail names no personal data: the trail says who changed
        // it, not what it says.
        crate::audit::record_tx(
            &mut tx,
            actor,
            "client.persoonsgegevens",
            &format!("client/{bsn}"),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A client's personal data, `None` when none is stored.
    pub async fn persoonsgegevens(&self, bsn: Bsn) -> Result<Option<Persoonsgegevens>> {
        let mut c = self.pool.acquire().await?;
        load(&mut c, &bsn.to_string()).await
    }

    /// Removes a client's personal data (e.g. after the BRP reports an
    /// address abroad); their WMO301s are then skipped until new data is stored.
    pub async fn clear_persoonsgegevens(&self, bsn: Bsn, actor: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query("DELETE FROM client_persoonsgegevens WHERE bsn = $1")
            .bind(bsn.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        crate::audit::record_tx(
            &mut tx,
            actor,
            "client.persoonsgegevens.delete",
            &format!("client/{bsn}"),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(n > 0)
    }
}

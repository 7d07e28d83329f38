-- Regie foundation schema. Portable SQL: runs unchanged on SQLite and PostgreSQL.
-- Dates are ISO-8601 TEXT (sorts correctly), money is BIGINT eurocents (as iWmo),
-- structured settings are JSON TEXT. Identifiers are natural keys.

CREATE TABLE regions (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    centrumgemeente TEXT,
    source_file     TEXT NOT NULL,
    document        TEXT NOT NULL,
    loaded_at       TEXT NOT NULL
);

CREATE TABLE municipalities (
    region_id TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (region_id, code)
);

CREATE TABLE providers (
    agb       TEXT PRIMARY KEY,
    kvk       TEXT,
    name      TEXT NOT NULL,
    admission TEXT NOT NULL
);

CREATE TABLE lots (
    region_id   TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    procurement TEXT NOT NULL,
    funding     TEXT NOT NULL,
    payer       TEXT NOT NULL,
    PRIMARY KEY (region_id, id)
);

CREATE TABLE products (
    region_id   TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    product_key TEXT NOT NULL,
    lot_id      TEXT NOT NULL,
    categorie   TEXT NOT NULL,
    productcode TEXT,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    level       TEXT,
    PRIMARY KEY (region_id, product_key)
);

CREATE TABLE tariffs (
    region_id      TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    product_key    TEXT NOT NULL,
    valid_from     TEXT NOT NULL,
    valid_to       TEXT,
    cents_per_unit BIGINT NOT NULL,
    assumption     TEXT,
    PRIMARY KEY (region_id, product_key, valid_from)
);

CREATE TABLE contracts (
    id              TEXT PRIMARY KEY,
    region_id       TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    lot_id          TEXT NOT NULL,
    addressee_agb   TEXT NOT NULL,
    party           TEXT NOT NULL,
    start_date      TEXT NOT NULL,
    end_date        TEXT NOT NULL,
    max_end_date    TEXT NOT NULL,
    terms           TEXT NOT NULL
);

CREATE TABLE clients (
    bsn        TEXT PRIMARY KEY,
    birth_date TEXT NOT NULL,
    region_id  TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE
);

CREATE TABLE residences (
    bsn       TEXT NOT NULL REFERENCES clients(bsn) ON DELETE CASCADE,
    from_date TEXT NOT NULL,
    gemeente  TEXT NOT NULL,
    PRIMARY KEY (bsn, from_date)
);

CREATE TABLE beschikkingen (
    id             TEXT PRIMARY KEY,
    region_id      TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    bsn            TEXT NOT NULL REFERENCES clients(bsn) ON DELETE CASCADE,
    aard           TEXT NOT NULL,
    categorie      TEXT NOT NULL,
    productcode    TEXT,
    volume         BIGINT,
    unit           TEXT,
    frequentie     TEXT,
    duur_start     TEXT NOT NULL,
    duur_end       TEXT,
    decided_on     TEXT NOT NULL,
    motivation     TEXT NOT NULL,
    rechtsmiddelen TEXT NOT NULL
);
CREATE INDEX beschikkingen_bsn ON beschikkingen (bsn);

CREATE TABLE toewijzingen (
    id              TEXT PRIMARY KEY,
    region_id       TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    beschikking_id  TEXT NOT NULL REFERENCES beschikkingen(id) ON DELETE CASCADE,
    bsn             TEXT NOT NULL REFERENCES clients(bsn) ON DELETE CASCADE,
    provider_agb    TEXT NOT NULL,
    lot_id          TEXT NOT NULL,
    product_key     TEXT NOT NULL,
    categorie       TEXT NOT NULL,
    productcode     TEXT,
    gemeente        TEXT NOT NULL,
    scope_kind      TEXT NOT NULL,
    volume          BIGINT,
    unit            TEXT,
    frequentie      TEXT,
    budget_cents    BIGINT,
    start_date      TEXT NOT NULL,
    end_date        TEXT,
    reden_wijziging INTEGER
);
CREATE INDEX toewijzingen_key ON toewijzingen (bsn, product_key, provider_agb);
CREATE INDEX toewijzingen_region_period ON toewijzingen (region_id, start_date);

-- Append-only audit trail: who changed what, when (Open Zaak style).
CREATE TABLE audit_log (
    id         TEXT PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject);

-- Personal data of a client as the BRP holds it (name, sex, woonadres): what a
-- WMO301's Client must carry besides BSN and birth date (kept in clients).
-- One row per client. A client without a row gets no WMO301: the export skips
-- it and says why, instead of sending placeholder names or addresses.
-- Portable SQL (SQLite and PostgreSQL).

CREATE TABLE client_persoonsgegevens (
    bsn                   TEXT PRIMARY KEY REFERENCES clients(bsn) ON DELETE CASCADE,
    voorvoegsel           TEXT,
    achternaam            TEXT NOT NULL,
    voorletters           TEXT NOT NULL,          -- letters only, e.g. 'JP'
    naamgebruik           TEXT NOT NULL,          -- BRP: E, P, V, N
    partner_voorvoegsel   TEXT,
    partner_achternaam    TEXT,                   -- required for P, V, N
    geslacht              TEXT NOT NULL,          -- BRP: M, V, O
    straatnaam            TEXT NOT NULL,
    huisnummer            BIGINT NOT NULL,
    huisletter            TEXT,
    huisnummer_toevoeging TEXT,
    postcode              TEXT NOT NULL,          -- 1234AB
    plaatsnaam            TEXT NOT NULL
);

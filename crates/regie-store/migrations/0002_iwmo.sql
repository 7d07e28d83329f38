-- iWmo 3.2 message exchange: every received and sent message, the chain state
-- the cross-message rules read (toewijzingen as sent, start/stop per delivery,
-- verzoeken, declaraties and their lines) and the deadlines of the standard.
-- Portable SQL (SQLite and PostgreSQL); dates ISO TEXT, money BIGINT cents.

CREATE TABLE iwmo_messages (
    id              BIGINT PRIMARY KEY,
    direction       TEXT NOT NULL,          -- 'in' | 'out'
    sender          TEXT NOT NULL,          -- '' when the header could not be read
    receiver        TEXT NOT NULL,
    message_type    TEXT NOT NULL,          -- 'WMO301' .. 'WMO325', '' when unknown
    identificatie   TEXT NOT NULL,
    dagtekening     TEXT,
    content_hash    TEXT NOT NULL,          -- sha256 of the raw bytes
    raw_xml         TEXT NOT NULL,
    status          TEXT NOT NULL,          -- in: accepted | partial | rejected | retour; out: sent | acknowledged | rejected
    report          TEXT NOT NULL,          -- validation report (JSON)
    retour_produced TEXT,                   -- type of the retour produced for an incoming heen message
    retour_id       BIGINT,                 -- the outgoing retour message
    in_reply_to     BIGINT,                 -- for answers: the message answered
    received_at     TEXT NOT NULL,          -- in: received; out: sent
    answer_deadline TEXT,                   -- OP090 / OP090x4
    UNIQUE (direction, sender, message_type, identificatie, content_hash)
);
CREATE INDEX iwmo_messages_ident ON iwmo_messages (sender, message_type, identificatie);

-- Toewijzingen (ToegewezenProduct) as last sent to the aanbieder.
CREATE TABLE iwmo_toewijzingen (
    gemeente             TEXT NOT NULL,
    nummer               BIGINT NOT NULL,
    aanbieder            TEXT NOT NULL,
    bsn                  TEXT NOT NULL,
    toewijzing_id        TEXT UNIQUE,       -- toewijzingen.id when sent from this store
    categorie            TEXT,
    productcode          TEXT,
    ingangsdatum         TEXT NOT NULL,
    einddatum            TEXT,
    reden_wijziging      TEXT,
    volume               BIGINT,
    eenheid              TEXT,
    frequentie           TEXT,
    budget_cents         BIGINT,
    referentie_aanbieder TEXT,
    fingerprint          TEXT NOT NULL,     -- content last sent (export sends changes only)
    message_id           BIGINT NOT NULL,
    PRIMARY KEY (gemeente, nummer)
);
CREATE INDEX iwmo_toewijzingen_client ON iwmo_toewijzingen (gemeente, aanbieder, bsn);

-- Care periods from WMO305/307: per toewijzing (nummer > 0) or, taakgericht,
-- per client + product + begindatum (nummer = 0, product = 'categorie/code').
CREATE TABLE iwmo_care_periods (
    gemeente          TEXT NOT NULL,
    aanbieder         TEXT NOT NULL,
    bsn               TEXT NOT NULL,
    toewijzing_nummer BIGINT NOT NULL,
    product           TEXT NOT NULL,
    begindatum        TEXT NOT NULL,
    start_status      TEXT,                 -- StatusAanlevering of the last start ('3' = removed)
    start_message_id  BIGINT,
    start_received_at TEXT,
    einddatum         TEXT,
    reden_beeindiging TEXT,
    stop_status       TEXT,
    stop_message_id   BIGINT,
    stop_received_at  TEXT,
    PRIMARY KEY (gemeente, aanbieder, bsn, toewijzing_nummer, product, begindatum)
);

CREATE TABLE iwmo_verzoeken (
    aanbieder   TEXT NOT NULL,
    referentie  TEXT NOT NULL,
    gemeente    TEXT NOT NULL,
    bsn         TEXT NOT NULL,
    antwoorden  TEXT NOT NULL,              -- VerzoekAntwoord codes, comma separated
    toegewezen  BIGINT NOT NULL,
    message_id  BIGINT NOT NULL,
    PRIMARY KEY (aanbieder, referentie)
);
CREATE INDEX iwmo_verzoeken_client ON iwmo_verzoeken (gemeente, aanbieder, bsn);

CREATE TABLE iwmo_declaraties (
    aanbieder         TEXT NOT NULL,
    gemeente          TEXT NOT NULL,
    declaratie_nummer TEXT NOT NULL,
    message_id        BIGINT NOT NULL,
    ingediend_cents   BIGINT NOT NULL,
    toegekend_cents   BIGINT NOT NULL,
    PRIMARY KEY (aanbieder, gemeente, declaratie_nummer)
);

-- Declaration lines (Prestaties of a WMO323), accepted or rejected line by line.
CREATE TABLE iwmo_declaratie_regels (
    message_id        BIGINT NOT NULL,
    client_index      BIGINT NOT NULL,
    prestatie_index   BIGINT NOT NULL,
    aanbieder         TEXT NOT NULL,
    gemeente          TEXT NOT NULL,
    declaratie_nummer TEXT NOT NULL,
    bsn               TEXT NOT NULL,
    referentie_nummer TEXT NOT NULL,
    vorig_referentie  TEXT,
    toewijzing_nummer BIGINT NOT NULL,
    categorie         TEXT NOT NULL,
    productcode       TEXT NOT NULL,
    periode_begin     TEXT NOT NULL,
    periode_eind      TEXT NOT NULL,
    volume            BIGINT NOT NULL,
    eenheid           TEXT NOT NULL,
    tarief_cents      BIGINT,
    bedrag_cents      BIGINT NOT NULL,      -- signed: credit is negative
    status            TEXT NOT NULL,        -- accepted | rejected
    retourcodes       TEXT NOT NULL,        -- comma separated, '0200' when accepted
    gecrediteerd      BIGINT NOT NULL,
    PRIMARY KEY (message_id, client_index, prestatie_index)
);
CREATE INDEX iwmo_regels_ref ON iwmo_declaratie_regels (aanbieder, referentie_nummer);
CREATE INDEX iwmo_regels_toewijzing ON iwmo_declaratie_regels (gemeente, toewijzing_nummer);

-- Obligations of the standard: OP090 (retour in 3 working days), OP090x4
-- (WMO325 in 10), OP271/OP272 (start/stop in 5 after start/end of care),
-- OP274 (WMO301 or WMO319 in 5 after a verzoek).
CREATE TABLE iwmo_deadlines (
    rule         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    gemeente     TEXT NOT NULL,
    aanbieder    TEXT NOT NULL,
    party        TEXT NOT NULL,             -- who must act: 'gemeente' | 'aanbieder'
    message_id   BIGINT,
    due          TEXT NOT NULL,
    fulfilled_at TEXT,
    fulfilled_by BIGINT,
    PRIMARY KEY (rule, subject)
);
CREATE INDEX iwmo_deadlines_due ON iwmo_deadlines (fulfilled_at, due);

-- Settlement and budgets (issue "Settlement and budgets", items 6-8).
-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Dates ISO TEXT,
-- months 'YYYY-MM' TEXT, money BIGINT eurocents, volumes exact decimal TEXT
-- (units such as 2.25 hours or fee-days must not pass through floats),
-- traces JSON TEXT.

-- Declaration lines a month is settled from. `source` says where a line came
-- from: 'synthetic' (regie declare simulate) or 'iwmo323' (WMO323 ingest).
CREATE TABLE settlement_declarations (
    region_id     TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    month         TEXT NOT NULL,
    provider_agb  TEXT NOT NULL,
    reference     TEXT NOT NULL,
    source        TEXT NOT NULL,
    toewijzing_id TEXT NOT NULL,
    bsn           TEXT NOT NULL,
    categorie     TEXT NOT NULL,
    productcode   TEXT,
    period_start  TEXT NOT NULL,
    period_end    TEXT NOT NULL,
    units         TEXT NOT NULL,
    unit          TEXT NOT NULL,
    PRIMARY KEY (region_id, month, provider_agb, reference)
);
CREATE INDEX settlement_declarations_toewijzing ON settlement_declarations (region_id, month, toewijzing_id);

-- One settlement per region and month; settling again replaces it.
CREATE TABLE settlement_runs (
    region_id      TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    month          TEXT NOT NULL,
    run_at         TEXT NOT NULL,
    input_hash     TEXT NOT NULL,
    lines_read     BIGINT NOT NULL,
    lines_rejected BIGINT NOT NULL,
    total_cents    BIGINT NOT NULL,
    capped_cents   BIGINT NOT NULL,
    paid_on        TEXT,
    report         TEXT NOT NULL,
    PRIMARY KEY (region_id, month)
);

-- Amounts per payer x provider x lot x item (product or lumpsum instalment).
CREATE TABLE settlement_rows (
    region_id    TEXT NOT NULL,
    month        TEXT NOT NULL,
    payer        TEXT NOT NULL,
    provider_agb TEXT NOT NULL,
    lot_id       TEXT NOT NULL,
    item         TEXT NOT NULL,
    units        TEXT NOT NULL,
    measure      TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    line_parts   BIGINT NOT NULL,
    tariffs      TEXT NOT NULL,
    rules        TEXT NOT NULL,
    PRIMARY KEY (region_id, month, payer, provider_agb, lot_id, item),
    FOREIGN KEY (region_id, month) REFERENCES settlement_runs(region_id, month) ON DELETE CASCADE
);

-- Lines not paid, with the reason (code S01..S30 and text).
CREATE TABLE settlement_rejected (
    region_id     TEXT NOT NULL,
    month         TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    provider_agb  TEXT NOT NULL,
    reference     TEXT NOT NULL,
    toewijzing_id TEXT NOT NULL,
    bsn           TEXT NOT NULL,
    product_key   TEXT NOT NULL,
    period_start  TEXT NOT NULL,
    period_end    TEXT NOT NULL,
    units         TEXT NOT NULL,
    reason_code   TEXT NOT NULL,
    reason        TEXT NOT NULL,
    PRIMARY KEY (region_id, month, seq),
    FOREIGN KEY (region_id, month) REFERENCES settlement_runs(region_id, month) ON DELETE CASCADE
);

-- Volume caps (S40): units and amount refused above the toewijzing maximum.
CREATE TABLE settlement_caps (
    region_id     TEXT NOT NULL,
    month         TEXT NOT NULL,
    toewijzing_id TEXT NOT NULL,
    provider_agb  TEXT NOT NULL,
    allowed       TEXT NOT NULL,
    declared      TEXT NOT NULL,
    capped_units  TEXT NOT NULL,
    capped_cents  BIGINT NOT NULL,
    detail        TEXT NOT NULL,
    PRIMARY KEY (region_id, month, toewijzing_id),
    FOREIGN KEY (region_id, month) REFERENCES settlement_runs(region_id, month) ON DELETE CASCADE
);

-- Every settled line with its full trace (SettlementLine JSON), so that
-- `regie settle explain` works from the store.
CREATE TABLE settlement_lines (
    region_id     TEXT NOT NULL,
    month         TEXT NOT NULL,
    provider_agb  TEXT NOT NULL,
    reference     TEXT NOT NULL,
    toewijzing_id TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    amount_cents  BIGINT NOT NULL,
    trace         TEXT NOT NULL,
    PRIMARY KEY (region_id, month, provider_agb, reference),
    FOREIGN KEY (region_id, month) REFERENCES settlement_runs(region_id, month) ON DELETE CASCADE
);
CREATE INDEX settlement_lines_toewijzing ON settlement_lines (region_id, month, toewijzing_id);

-- Accepted units per toewijzing per month: the next month's prior usage
-- (limits over the whole toewijzing period).
CREATE TABLE settlement_usage (
    region_id     TEXT NOT NULL,
    month         TEXT NOT NULL,
    toewijzing_id TEXT NOT NULL,
    units         TEXT NOT NULL,
    PRIMARY KEY (region_id, month, toewijzing_id),
    FOREIGN KEY (region_id, month) REFERENCES settlement_runs(region_id, month) ON DELETE CASCADE
);

-- Budgets per municipality x lot x year, with where the figure came from.
CREATE TABLE budgets (
    region_id    TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    gemeente     TEXT NOT NULL,
    lot_id       TEXT NOT NULL,
    year         INTEGER NOT NULL,
    amount_cents BIGINT NOT NULL,
    source       TEXT NOT NULL,
    set_at       TEXT NOT NULL,
    PRIMARY KEY (region_id, gemeente, lot_id, year)
);

-- Agreed risk-dossier adjustments of lumpsum contracts (paid in `month`).
CREATE TABLE risk_adjustments (
    id           TEXT PRIMARY KEY,
    region_id    TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    contract_id  TEXT NOT NULL,
    month        TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    category     TEXT NOT NULL,
    reason       TEXT NOT NULL
);
CREATE INDEX risk_adjustments_month ON risk_adjustments (region_id, month);

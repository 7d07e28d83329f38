-- Toegang (access) workflow: cases as append-only event streams.
--
-- case_events is the source of truth: a case is rebuilt by replaying its
-- events through regie_access::Case::replay. cases is a projection (route,
-- state, who holds it, open/closed) for listing, kept in step with the events
-- in the same transaction. last_seq is the optimistic-concurrency guard: an
-- append of seq n updates the case row only WHERE last_seq = n - 1, and
-- (case_id, seq) is the primary key, so two writers can never both append n.
--
-- Waiting lists, deadlines and bezwaren are derived from the events (replay);
-- complaints are not case events (they may concern a provider without a case)
-- and live in their own table.

CREATE TABLE cases (
    id               TEXT PRIMARY KEY,
    region_id        TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    bsn              TEXT NOT NULL,
    route            TEXT NOT NULL,
    state            TEXT NOT NULL,
    toegang_gemeente TEXT NOT NULL,
    opened_on        TEXT NOT NULL,
    closed_on        TEXT,
    last_seq         BIGINT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX cases_region ON cases (region_id, closed_on);
CREATE INDEX cases_bsn ON cases (bsn);

CREATE TABLE case_events (
    case_id    TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    event      TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE complaints (
    id           BIGINT PRIMARY KEY,
    region_id    TEXT NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    received_on  TEXT NOT NULL,
    provider_agb TEXT NOT NULL,
    gemeente     TEXT NOT NULL,
    case_id      TEXT REFERENCES cases(id) ON DELETE SET NULL,
    subject      TEXT NOT NULL,
    handled_on   TEXT,
    recorded_by  TEXT NOT NULL
);
CREATE INDEX complaints_region_received ON complaints (region_id, received_on);

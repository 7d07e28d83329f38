-- A verzoek's answer on record, so the toegang can list the verzoeken in
-- onderzoek and decide them later (OP274/OP346: the final answer is due
-- within 8 weeks): why a person must judge it, the refusal's reden and
-- toelichting, and who gave the final answer when ('iwmo verzoek' when it
-- was decided automatically on receipt).
ALTER TABLE iwmo_verzoeken ADD COLUMN onderzoek_reden TEXT;
ALTER TABLE iwmo_verzoeken ADD COLUMN reden_afwijzing TEXT;
ALTER TABLE iwmo_verzoeken ADD COLUMN toelichting TEXT;
ALTER TABLE iwmo_verzoeken ADD COLUMN beslist_door TEXT;
ALTER TABLE iwmo_verzoeken ADD COLUMN beslist_op TEXT;

-- Verzoeken answered before this migration: the reasons were only written
-- to the audit log (subject verzoek/AGB/REFERENTIE).
UPDATE iwmo_verzoeken SET onderzoek_reden = (
    SELECT a.detail FROM audit_log a
    WHERE a.subject = 'verzoek/' || iwmo_verzoeken.aanbieder || '/' || iwmo_verzoeken.referentie
      AND a.action = 'verzoek.onderzoek'
    ORDER BY a.id DESC LIMIT 1
);
UPDATE iwmo_verzoeken SET toelichting = (
    SELECT a.detail FROM audit_log a
    WHERE a.subject = 'verzoek/' || iwmo_verzoeken.aanbieder || '/' || iwmo_verzoeken.referentie
      AND a.action = 'verzoek.afgewezen'
    ORDER BY a.id DESC LIMIT 1
);

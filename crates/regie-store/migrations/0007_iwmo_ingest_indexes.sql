-- Ingest reads and writes (one transaction per message, so every index a
-- message row touches is a page written per message):
-- * a replayed message fetches its retour and answers by in_reply_to
--   (without an index every replay scanned all messages);
-- * the execution variant of a message falls back to the aanbieder's contracts;
-- * iwmo_messages_ident (sender, message_type, identificatie) duplicates a
--   prefix of the UNIQUE (direction, sender, message_type, identificatie,
--   content_hash) index once lookups name the direction, as they all do.
CREATE INDEX iwmo_messages_reply ON iwmo_messages (in_reply_to);
CREATE INDEX contracts_addressee ON contracts (addressee_agb);
DROP INDEX iwmo_messages_ident;

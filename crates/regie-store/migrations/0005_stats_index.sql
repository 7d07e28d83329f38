-- Unique-client reports scan toewijzingen of a region by client; this index
-- lets them read (bsn, product, gemeente) without touching the table rows.
CREATE INDEX toewijzingen_stats ON toewijzingen (region_id, bsn, product_key, gemeente, start_date, end_date);

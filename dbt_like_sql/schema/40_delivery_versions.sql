-- The versions (S3 ETag, or size and mtime of a local file) of the objects a delivery was loaded from,
-- as one digest: a re-sync skips a month only when both the delivery id and these are unchanged.
ALTER TABLE raw.deliveries ADD COLUMN IF NOT EXISTS objects_version VARCHAR;

-- A user's energy attribute certificates (GO, REGO, REC, I-REC, PPA), never shipped: which site's
-- electricity they cover, for which period and how many kWh.
SELECT
    certificate_id,
    site,
    CAST(period_start AS DATE) AS period_start,
    CAST(period_end AS DATE) AS period_end,
    CAST(kwh AS DOUBLE) AS kwh,
    instrument,
    registry,
    $source_file AS source_file,
    $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

-- Min/max watts and GB per chip by processor family, as Cloud Carbon Footprint's AWS estimate uses them.
SELECT
    processor,
    kind,
    CAST(min_watts AS DOUBLE) AS min_watts,
    CAST(max_watts AS DOUBLE) AS max_watts,
    TRY_CAST(NULLIF(gb_per_chip, '') AS DOUBLE) AS gb_per_chip,
    reference,
    $source_file AS source_file,
    $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

-- Min/max watts and GB per chip per provider and processor (ccf_cloud_processor_coefficients.csv).
SELECT provider, processor, kind, CAST(min_watts AS DOUBLE) AS min_watts, CAST(max_watts AS DOUBLE) AS max_watts,
    CAST(NULLIF(gb_per_chip, '') AS DOUBLE) AS gb_per_chip, reference, $source_file AS source_file,
    $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

-- Cloud Carbon Footprint's Azure and Google Cloud constants, and OCI's flagged fallback
-- (ccf_cloud_provider_coefficients.csv, build/build_ccf_cloud_tables.py).
SELECT provider, coefficient, COALESCE(region, '') AS region, CAST(value AS DOUBLE) AS value, unit, source,
    reference, licence, $source_file AS source_file, $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

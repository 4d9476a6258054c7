-- Cloud Carbon Footprint's embodied emissions per AWS host (coefficients-aws-embodied.csv, kgCO2e per
-- server; its first, unnamed column is a row index and is not kept).
SELECT
    "type" AS instance_type,
    CAST(additional_memory AS DOUBLE) AS additional_memory_kgco2e,
    CAST(additional_storage AS DOUBLE) AS additional_storage_kgco2e,
    CAST(additional_cpus AS DOUBLE) AS additional_cpus_kgco2e,
    CAST(additional_gpus AS DOUBLE) AS additional_gpus_kgco2e,
    CAST(total AS DOUBLE) AS total_kgco2e,
    $source_file AS source_file,
    $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

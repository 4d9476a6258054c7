-- Azure VM sizes and Google Cloud machine families -> CCF's processors and watts (ccf_cloud_machine_types.csv).
SELECT provider, machine_type, lower(machine_type) AS machine_key, processors,
    CAST(NULLIF(vcpu, '') AS DOUBLE) AS vcpu, CAST(NULLIF(memory_gb, '') AS DOUBLE) AS memory_gb,
    CAST(NULLIF(min_watts, '') AS DOUBLE) AS min_watts, CAST(NULLIF(max_watts, '') AS DOUBLE) AS max_watts,
    CAST(NULLIF(gb_per_chip, '') AS DOUBLE) AS gb_per_chip, CAST(gpu_count AS DOUBLE) AS gpu_count,
    NULLIF(gpu_processor, '') AS gpu_processor, reference, $source_file AS source_file, $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

-- Azure SKUs sized by name: disk tiers, cache tiers, App Service plans, registries (ccf_azure_sku_sizes.csv).
SELECT kind, sku, lower(sku) AS sku_key, CAST(NULLIF(vcpu, '') AS DOUBLE) AS vcpu,
    CAST(NULLIF(memory_gb, '') AS DOUBLE) AS memory_gb, CAST(NULLIF(storage_gb, '') AS DOUBLE) AS storage_gb,
    reference, $source_file AS source_file, $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

-- Region spellings of the providers' usage data -> region code (cloud_region_aliases.csv).
SELECT provider, alias, lower(alias) AS alias_key, lower(region_code) AS region_code, source,
    $source_file AS source_file, $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

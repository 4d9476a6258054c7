-- Cloud Carbon Footprint's usage-type lists (CostAndUsageTypes.ts), one row per pattern.
SELECT rule, pattern, match, reference, $source_file AS source_file, $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

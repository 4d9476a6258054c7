-- AWS's published baseline utilisation per vCPU of burstable instance types (percent in the file).
SELECT
    instance_type,
    CAST(baseline_utilisation_pct AS DOUBLE) / 100 AS baseline_utilisation,
    reference,
    $source_file AS source_file,
    $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

SELECT profile, coefficient, CAST(value AS DOUBLE) AS value, unit, source, reference, licence,
    $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

-- Platform CPU/GPU name as aws-instances.csv spells it -> processor family with CCF coefficients.
SELECT platform_name, kind, processor, reference, $source_file AS source_file, $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

-- Cloud Carbon Footprint's processor map per AWS instance type and the figures it averages from it
-- (ccf_aws_instance_processors.csv, exported from @cloud-carbon-footprint/aws 0.15.0).
SELECT
    instance_type,
    processors,
    CAST(min_watts AS DOUBLE) AS min_watts,
    CAST(max_watts AS DOUBLE) AS max_watts,
    CAST(gb_per_chip AS DOUBLE) AS gb_per_chip,
    reference,
    $source_file AS source_file,
    $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

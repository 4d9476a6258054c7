-- OCI compute shapes -> processor, its CCF watts and vCPUs per OCPU (oci_shapes.csv, compiled, flagged).
SELECT provider, lower(shape) AS shape, processor, CAST(min_watts AS DOUBLE) AS min_watts,
    CAST(max_watts AS DOUBLE) AS max_watts, CAST(vcpu_per_ocpu AS DOUBLE) AS vcpu_per_ocpu, source,
    $source_file AS source_file, $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

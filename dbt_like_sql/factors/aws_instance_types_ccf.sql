-- The EC2 instance types Cloud Carbon Footprint's own table knows (EC2_INSTANCE_TYPES in
-- @cloud-carbon-footprint/aws 0.15.0, exported to ccf_aws_ec2_instance_types.csv) that aws-instances.csv
-- does not (c6i, m6a, r6i, i4i, x2iedn, g5, im4gn, ...): appended to factors.aws_instance_types after
-- aws-instances.csv is loaded, sized as CCF sizes them. Their host is not documented there: no platform CPU
-- (the processor comes from CCF's per-type map), no host vCPU; the embodied figure is CCF's per host, and
-- the family's largest size is CCF's last listed size of the family, as CCF's code takes it.
WITH src AS (
    SELECT
        instance_type,
        family,
        CAST(vcpu AS DOUBLE) AS vcpu,
        CAST(memory_gb AS DOUBLE) AS memory_gb,
        CAST(embodied_kgco2e AS DOUBLE) AS embodied_kgco2e,
        CAST(gpu_count AS DOUBLE) AS gpu_count,
        NULLIF(gpu_processors, '') AS gpu_processors,
        CAST(family_last_vcpu AS DOUBLE) AS family_last_vcpu,
        CAST(family_last_memory_gb AS DOUBLE) AS family_last_memory_gb
    FROM read_csv($path, header = true, all_varchar = true)
)
SELECT
    s.instance_type, s.family, s.vcpu, s.memory_gb,
    CAST(NULL AS DOUBLE) AS platform_vcpu,
    CAST(NULL AS DOUBLE) AS platform_memory_gb,
    CAST(NULL AS VARCHAR) AS platform_cpu,
    s.gpu_count,
    -- CCF's GPU processor name, as factors.aws_processor_coefficients spells it (e.g. Nvidia A10G)
    s.gpu_processors AS platform_gpu,
    s.family_last_vcpu AS family_largest_vcpu,
    s.family_last_memory_gb AS family_largest_memory_gb,
    s.embodied_kgco2e AS host_embodied_kgco2e,
    'ccf_ec2_table' AS sized_from,
    $source_file AS source_file,
    $file_sha256 AS file_sha256
FROM src AS s
WHERE NOT EXISTS (
    SELECT 1 FROM factors.aws_instance_types AS i
    WHERE factors.aws_instance_type_of(i.instance_type, NULL) = s.instance_type
)

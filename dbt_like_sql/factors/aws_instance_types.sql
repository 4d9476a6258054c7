-- Cloud Carbon Footprint's AWS instance table (aws-instances.csv, decimal commas converted when the
-- file was copied): vCPU, memory, host platform and GPUs per instance type, plus the family's largest
-- size. RDS (db.), ElastiCache (cache.) and OpenSearch (.elasticsearch) names are kept as published;
-- their family is that of the EC2 type they run on.
WITH src AS (
    SELECT
        "Instance type" AS instance_type,
        split_part(factors.aws_instance_type_of("Instance type", NULL), '.', 1) AS family,
        CAST("Instance vCPU" AS DOUBLE) AS vcpu,
        TRY_CAST("Instance Memory (in GB)" AS DOUBLE) AS memory_gb,
        TRY_CAST("Platform Total Number of vCPU" AS DOUBLE) AS platform_vcpu,
        TRY_CAST("Platform Memory (in GB)" AS DOUBLE) AS platform_memory_gb,
        NULLIF("Platform CPU Name", 'N/A') AS platform_cpu,
        COALESCE(TRY_CAST("Instance Number of GPU" AS DOUBLE), 0) AS gpu_count,
        NULLIF("Platform GPU Name", 'N/A') AS platform_gpu
    FROM read_csv($path, header = true, all_varchar = true)
),
largest AS (
    -- the size with the most vCPUs (then the most memory): CCF's "largest instance type in the family"
    SELECT family, MAX(vcpu) AS family_largest_vcpu,
        arg_max(memory_gb, vcpu * 1000000 + COALESCE(memory_gb, 0)) AS family_largest_memory_gb
    FROM src
    GROUP BY family
)
SELECT
    s.instance_type, s.family, s.vcpu, s.memory_gb, s.platform_vcpu, s.platform_memory_gb, s.platform_cpu,
    s.gpu_count, s.platform_gpu, l.family_largest_vcpu, l.family_largest_memory_gb,
    CAST(NULL AS DOUBLE) AS host_embodied_kgco2e,  -- in factors.aws_instance_embodied for these
    'aws_instances_csv' AS sized_from,
    $source_file AS source_file,
    $file_sha256 AS file_sha256
FROM src AS s
JOIN largest AS l USING (family)

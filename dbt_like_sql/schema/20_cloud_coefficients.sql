-- Coefficient tables for the usage-based cloud estimate (issue 4), loaded from the shipped files in
-- carbon_pipeline/factors/data/ by carbon_pipeline/factors/catalogue.py, each row with its file's SHA-256.
-- Values that differ by coefficient profile live in factors.cloud_usage_coefficients (column `profile`);
-- the tables here are the same for both profiles. Idempotent, like 00_warehouse.sql.

-- One row per EC2 instance type (Cloud Carbon Footprint's coefficients dataset, aws-instances.csv):
-- what the estimate needs from it, plus the family's largest size (CCF's denominator for memory and
-- for its embodied share).
CREATE TABLE IF NOT EXISTS factors.aws_instance_types (
    instance_type VARCHAR NOT NULL,
    family VARCHAR NOT NULL,
    vcpu DOUBLE NOT NULL,
    memory_gb DOUBLE,
    platform_vcpu DOUBLE,                   -- vCPUs of the whole host the instance runs on
    platform_memory_gb DOUBLE,
    platform_cpu VARCHAR,                   -- e.g. Xeon Platinum 8175M -> factors.aws_platform_processors
    gpu_count DOUBLE,                       -- GPUs of this instance size (0 when none)
    platform_gpu VARCHAR,                   -- e.g. T4 -> factors.aws_platform_processors
    family_largest_vcpu DOUBLE NOT NULL,
    family_largest_memory_gb DOUBLE,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);
-- Instance types CCF's own EC2 table knows but aws-instances.csv does not (issue 15): sized from CCF's
-- table (factors/aws_instance_types_ccf.sql), with CCF's host embodied figure on the row itself.
ALTER TABLE factors.aws_instance_types ADD COLUMN IF NOT EXISTS host_embodied_kgco2e DOUBLE;
ALTER TABLE factors.aws_instance_types ADD COLUMN IF NOT EXISTS sized_from VARCHAR;  -- aws_instances_csv | ccf_ec2_table

-- Embodied emissions of the host an instance type runs on (kgCO2e per server, CCF's
-- coefficients-aws-embodied.csv: a base server plus additional memory, storage, CPUs, GPUs).
CREATE TABLE IF NOT EXISTS factors.aws_instance_embodied (
    instance_type VARCHAR NOT NULL,
    additional_memory_kgco2e DOUBLE,
    additional_storage_kgco2e DOUBLE,
    additional_cpus_kgco2e DOUBLE,
    additional_gpus_kgco2e DOUBLE,
    total_kgco2e DOUBLE NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- Platform CPU / GPU name (as aws-instances.csv spells it) -> the processor family CCF has
-- coefficients for.
CREATE TABLE IF NOT EXISTS factors.aws_platform_processors (
    platform_name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,                  -- cpu | gpu
    processor VARCHAR NOT NULL,
    reference VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- Min/max watts (per vCPU for CPUs, per GPU for GPUs) and GB of memory per physical chip, per processor
-- family, as Cloud Carbon Footprint's AWS estimate uses them.
CREATE TABLE IF NOT EXISTS factors.aws_processor_coefficients (
    processor VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,                  -- cpu | gpu
    min_watts DOUBLE NOT NULL,
    max_watts DOUBLE NOT NULL,
    gb_per_chip DOUBLE,
    reference VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- Baseline CPU utilisation per vCPU of the burstable (t2, t3, t3a, t4g) instance types.
CREATE TABLE IF NOT EXISTS factors.aws_burstable_baselines (
    instance_type VARCHAR NOT NULL,
    baseline_utilisation DOUBLE NOT NULL,   -- fraction (0.2 = 20 %)
    reference VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- CCF's usage-type lists that decide SSD vs HDD storage, networking, byte-hour units and usage it
-- cannot estimate (CostAndUsageTypes.ts). `match`: suffix of the usage type, suffix of the service
-- code, or contained anywhere in the usage type.
CREATE TABLE IF NOT EXISTS factors.aws_usage_type_rules (
    rule VARCHAR NOT NULL,                  -- ssd_usage_type | ssd_service | hdd_usage_type | network_usage_type
                                            -- | byte_hours_usage_type | unknown_usage_type | unsupported_usage_type
    pattern VARCHAR NOT NULL,
    match VARCHAR NOT NULL,                 -- suffix | service_suffix | contains
    reference VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- The instance type a CUR row is about: product/instanceType, else the part of the usage type after its
-- last ':' (BoxUsage:m5.large, Multi-AZUsage:db.m5.large), without the service prefix (db., cache. ...)
-- or the OpenSearch suffix, so RDS, ElastiCache and OpenSearch nodes find their EC2 twin.
CREATE OR REPLACE MACRO factors.aws_instance_type_of(instance_type, usage_type) AS
    regexp_replace(
        regexp_replace(
            COALESCE(NULLIF(instance_type, ''), regexp_extract(usage_type, ':([^:]+)$', 1)),
            '^(db|cache|dax|dms|ml|mq)\.', ''
        ),
        '\.(search|elasticsearch)$', ''
    );

-- Embodied emissions are a mass, not energy (fix F3): their own column on the emission rows, included
-- in tco2e. Added here so warehouses created before issue 4 get it too.
ALTER TABLE emissions.activity_emissions ADD COLUMN IF NOT EXISTS embodied_tco2e DOUBLE;

-- Cloud Carbon Footprint's own processor map per instance type (INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING,
-- @cloud-carbon-footprint/aws 0.15.0) with the watts and GB per chip CCF averages over the listed
-- processors: the `ccf` profile's processor figures (e.g. r5 and c5: Cascade Lake and Skylake).
CREATE TABLE IF NOT EXISTS factors.ccf_instance_processors (
    instance_type VARCHAR NOT NULL,
    processors VARCHAR NOT NULL,            -- CCF's list, '|'-separated
    min_watts DOUBLE NOT NULL,
    max_watts DOUBLE NOT NULL,
    gb_per_chip DOUBLE NOT NULL,
    reference VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

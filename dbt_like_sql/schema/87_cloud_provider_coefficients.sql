-- Provider-specific coefficients for the usage-based estimate of Azure, Google Cloud and OCI usage (issue 14,
-- item 3), loaded by carbon_pipeline/factors/catalogue.py from files built by
-- carbon_pipeline/factors/build/build_ccf_cloud_tables.py (Cloud Carbon Footprint @ b7a049c7, Apache-2.0;
-- OCI compiled from Oracle's documentation, flagged). Idempotent, like 00_warehouse.sql.

-- One row per provider x coefficient (x region for Google Cloud's regional PUE; '' = the provider's fleet):
-- watts per vCPU, utilisation, storage, memory, network, PUE and replication factors.
CREATE TABLE IF NOT EXISTS factors.cloud_provider_coefficients (
    provider VARCHAR NOT NULL,              -- azure | gcp | oci
    coefficient VARCHAR NOT NULL,
    region VARCHAR NOT NULL,                -- '' = all regions
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    reference VARCHAR,
    licence VARCHAR,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- Min/max watts (per vCPU for CPUs, per GPU for GPUs) and GB per chip, per provider and processor, as CCF's
-- Azure and Google Cloud constants list them.
CREATE TABLE IF NOT EXISTS factors.cloud_processor_coefficients (
    provider VARCHAR NOT NULL,
    processor VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,                  -- cpu | gpu
    min_watts DOUBLE NOT NULL,
    max_watts DOUBLE NOT NULL,
    gb_per_chip DOUBLE,
    reference VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- Azure VM size (CCF's key, e.g. 'D2s v3') or Google Cloud machine family ('n2') -> CCF's processor list and
-- the watts CCF takes from it (average; median when Sandy/Ivy Bridge is listed); NULL watts = processor
-- unknown to CCF (the provider's average applies). machine_key is the lower-case key rows are matched on.
CREATE TABLE IF NOT EXISTS factors.cloud_machine_types (
    provider VARCHAR NOT NULL,
    machine_type VARCHAR NOT NULL,
    machine_key VARCHAR NOT NULL,
    processors VARCHAR NOT NULL,
    vcpu DOUBLE,
    memory_gb DOUBLE,
    min_watts DOUBLE,
    max_watts DOUBLE,
    gb_per_chip DOUBLE,
    gpu_count DOUBLE NOT NULL,
    gpu_processor VARCHAR,
    reference VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- Azure SKUs whose size is in their name: managed disk tiers (P30 = 1,024 GB SSD), cache tiers (memory GB),
-- App Service plans (vCPU), container registry tiers (storage GB).
CREATE TABLE IF NOT EXISTS factors.azure_sku_sizes (
    kind VARCHAR NOT NULL,                  -- ssd_disk | hdd_disk | cache | plan | container_registry
    sku VARCHAR NOT NULL,
    sku_key VARCHAR NOT NULL,
    vcpu DOUBLE,
    memory_gb DOUBLE,
    storage_gb DOUBLE,
    reference VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- Other spellings of a region in the providers' usage data ('US East', 'EastUS2', OCI's 'IAD') -> region code.
CREATE TABLE IF NOT EXISTS factors.cloud_region_aliases (
    provider VARCHAR NOT NULL,
    alias VARCHAR NOT NULL,
    alias_key VARCHAR NOT NULL,             -- lower(alias)
    region_code VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- OCI compute shape -> processor and the CCF watts that stand for it, and vCPUs per OCPU (compiled from Oracle's
-- shape documentation: CCF has no OCI data).
CREATE TABLE IF NOT EXISTS factors.oci_shapes (
    provider VARCHAR NOT NULL,
    shape VARCHAR NOT NULL,                 -- e4, x9, a1 ... as the SKU names it, lower case
    processor VARCHAR NOT NULL,
    min_watts DOUBLE NOT NULL,
    max_watts DOUBLE NOT NULL,
    vcpu_per_ocpu DOUBLE NOT NULL,
    source VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- Which provider coefficient a FOCUS usage row of Azure, Google Cloud or OCI is estimated with and why
-- (ledger/activity_focus.sql): e.g. 'vm:d2s v3', 'family:n2', 'shape:e4', 'disk:p30', 'replication:storage_grs'.
ALTER TABLE ledger.activity ADD COLUMN IF NOT EXISTS coefficient_key VARCHAR;

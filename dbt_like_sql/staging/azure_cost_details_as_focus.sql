-- Azure Cost Management cost details (view `azure_cost_file`: the columns by their canonical names, EA or MCA
-- spelling, every value VARCHAR, plus object_line) as the FOCUS columns staging/focus_parsed.sql reads, mapped
-- the way Microsoft's FOCUS export and the FinOps Foundation's focus-converter map them, so that a row lands in
-- the ledger exactly as the same charge exported as FOCUS would (docs/sources.md, `azure_cost_details`):
--   BilledCost        CostInBillingCurrency: the actual cost, or the amortized cost of an amortized export
--                     (a source is one dataset; the reader refuses the other's rows)
--   ChargeCategory    ChargeType: Usage; Purchase; Refund (a Purchase correction); Tax; RoundingAdjustment
--                     (Adjustment). An amortized export's UnusedReservation / UnusedSavingsPlan rows are the
--                     unused part of a commitment's cost: a Purchase, cost only, never usage to estimate.
--   ConsumedQuantity  Quantity, ConsumedUnit the unit of UnitOfMeasure ("1 Hour" -> Hours, "10K" -> Units,
--                     "1 GB/Month" -> GB/Month), PricingQuantity Quantity / the block size
--   SubAccountId      /subscriptions/<SubscriptionId>, BillingAccountId the billing account's resource path,
--                     as FOCUS writes them; RegionId ResourceLocation (display names become codes in
--                     focus_parsed); ServiceName MeterCategory; x_SkuMeter* the meter; x_SkuDetails AdditionalInfo
-- $dataset: actual | amortized.
WITH native AS (
    SELECT
        *,
        NULLIF(trim(ChargeType), '') AS charge_type,
        regexp_extract(trim(COALESCE(UnitOfMeasure, '')), '^([0-9]+(\.[0-9]+)?)([KM]?)\s*(.*)$', 1) AS block_number,
        regexp_extract(trim(COALESCE(UnitOfMeasure, '')), '^([0-9]+(\.[0-9]+)?)([KM]?)\s*(.*)$', 3) AS block_scale,
        CASE
            WHEN regexp_matches(trim(COALESCE(UnitOfMeasure, '')), '^[0-9]+(\.[0-9]+)?[KM]?\s*(.*)$')
                THEN regexp_extract(trim(UnitOfMeasure), '^[0-9]+(\.[0-9]+)?[KM]?\s*(.*)$', 2)
            ELSE trim(COALESCE(UnitOfMeasure, ''))
        END AS unit_rest,
        NULLIF(trim(ResourceLocation), '') AS location_text
    FROM azure_cost_file
),
shaped AS (
    SELECT
        *,
        COALESCE(TRY_CAST(NULLIF(block_number, '') AS DOUBLE), 1)
            * CASE block_scale WHEN 'K' THEN 1000 WHEN 'M' THEN 1000000 ELSE 1 END AS block_size,
        CASE
            WHEN unit_rest = '' AND NULLIF(trim(UnitOfMeasure), '') IS NULL THEN NULL
            WHEN unit_rest = '' THEN 'Units'
            WHEN starts_with(unit_rest, '/') THEN 'Units' || unit_rest
            WHEN lower(unit_rest) IN ('hour', 'hours', 'hr', 'hrs') THEN 'Hours'
            WHEN lower(unit_rest) IN ('day', 'days') THEN 'Days'
            WHEN lower(unit_rest) IN ('month', 'months') THEN 'Months'
            ELSE unit_rest
        END AS unit
    FROM native
)
SELECT
    object_line,
    CostInBillingCurrency AS BilledCost,
    CASE WHEN $dataset = 'amortized' THEN CostInBillingCurrency END AS EffectiveCost,
    -- Azure writes dates as MM/DD/YYYY (EA and MCA alike); ISO dates and Parquet timestamps pass unchanged
    COALESCE(strftime(TRY_STRPTIME(trim(Date), '%m/%d/%Y'), '%Y-%m-%d %H:%M:%S'), Date) AS ChargePeriodStart,
    'Microsoft' AS ProviderName,
    CASE
        WHEN NULLIF(trim(BillingAccountId), '') IS NULL THEN NULL
        WHEN starts_with(trim(BillingAccountId), '/') THEN trim(BillingAccountId)
        ELSE '/providers/Microsoft.Billing/billingAccounts/' || trim(BillingAccountId)
    END AS BillingAccountId,
    CASE
        WHEN NULLIF(trim(SubscriptionId), '') IS NULL THEN NULL
        WHEN starts_with(lower(trim(SubscriptionId)), '/subscriptions/') THEN lower(trim(SubscriptionId))
        ELSE '/subscriptions/' || lower(trim(SubscriptionId))
    END AS SubAccountId,
    CASE WHEN lower(location_text) IN ('unassigned', 'global', 'unknown', 'all regions', 'n/a') THEN NULL
         ELSE location_text END AS RegionId,
    CAST(NULL AS VARCHAR) AS RegionName,
    COALESCE(NULLIF(trim(MeterCategory), ''), NULLIF(trim(ConsumedService), '')) AS ServiceName,
    CASE
        WHEN MeterCategory IN ('Virtual Machines', 'Virtual Machines Licenses', 'Cloud Services', 'Container Instances',
            'Azure App Service', 'Functions', 'Batch', 'Azure Kubernetes Service', 'Azure Container Apps',
            'Azure Spring Apps', 'Azure VMware Solution', 'Virtual Desktop') THEN 'Compute'
        WHEN MeterCategory IN ('Storage', 'Backup', 'Azure NetApp Files', 'Azure Data Lake Storage',
            'Azure Managed Lustre') THEN 'Storage'
        WHEN MeterCategory IN ('Bandwidth', 'Virtual Network', 'Load Balancer', 'VPN Gateway', 'Networking',
            'Azure DNS', 'Application Gateway', 'Content Delivery Network', 'Azure Front Door Service',
            'ExpressRoute', 'Azure Firewall', 'NAT Gateway', 'Network Watcher', 'Azure Bastion')
            THEN 'Networking'
        WHEN MeterCategory IN ('SQL Database', 'SQL Managed Instance', 'Azure Database for PostgreSQL',
            'Azure Database for MySQL', 'Azure Database for MariaDB', 'Azure Cosmos DB', 'Redis Cache',
            'Azure Cache for Redis') THEN 'Databases'
        WHEN NULLIF(trim(MeterCategory), '') IS NOT NULL THEN 'Other'
    END AS ServiceCategory,
    CASE
        WHEN charge_type IS NULL OR charge_type = 'Usage' THEN 'Usage'
        WHEN charge_type IN ('Purchase', 'Refund', 'UnusedReservation', 'UnusedSavingsPlan') THEN 'Purchase'
        WHEN charge_type = 'Tax' THEN 'Tax'
        WHEN charge_type IN ('RoundingAdjustment', 'Adjustment') THEN 'Adjustment'
        WHEN charge_type = 'Credit' THEN 'Credit'
        ELSE charge_type  -- kept as written: not Usage, so a cost-only charge
    END AS ChargeCategory,
    CASE WHEN charge_type = 'Refund' THEN 'Correction' END AS ChargeClass,
    Quantity AS ConsumedQuantity,
    unit AS ConsumedUnit,
    CASE
        WHEN block_size = 1 THEN Quantity
        ELSE CAST(TRY_CAST(Quantity AS DOUBLE) / block_size AS VARCHAR)
    END AS PricingQuantity,
    unit AS PricingUnit,
    BillingCurrency,
    MeterId AS SkuId,
    ResourceId,
    CAST(NULL AS VARCHAR) AS x_UsageType,
    CAST(NULL AS VARCHAR) AS x_Operation,
    CAST(NULL AS VARCHAR) AS x_ServiceCode,
    CAST(NULL AS VARCHAR) AS ResourceType,
    ProductName AS ChargeDescription,
    COALESCE(NULLIF(trim(BenefitId), ''), NULLIF(trim(ReservationId), '')) AS CommitmentDiscountId,
    CAST(NULL AS VARCHAR) AS ServiceSubcategory,
    CAST(NULL AS VARCHAR) AS SkuMeter,
    MeterCategory AS x_SkuMeterCategory,
    MeterSubCategory AS x_SkuMeterSubcategory,
    MeterName AS x_SkuMeterName,
    CAST(NULL AS VARCHAR) AS SkuPriceDetails,
    AdditionalInfo AS x_SkuDetails
FROM shaped

-- Provider-reported emissions of the providers' own carbon exports and the AWS Sustainability API
-- (raw.provider_carbon_emissions) -> ledger, beside ledger/provider_emissions.sql (the AWS carbon
-- export) and with the same rules: every model version kept, exactly one selected per source and
-- month (the pinned version if the settings pin one, else the newest); one row per provider scope
-- where the source splits by scope, else one total row. Values are already metric tons (GCP's and
-- Azure's kilograms were divided by 1000 in staging). Azure has no market figure: market_tco2e NULL.
-- (versions are counted apart and joined: neither Spark nor Trino allows DISTINCT in a window; docs/spark.md)
WITH delivered AS (
    SELECT source_id, period_month, COUNT(DISTINCT model_version) AS versions_delivered
    FROM raw.provider_carbon_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY source_id, period_month
),
ranked AS (
    SELECT
        r.*,
        DENSE_RANK() OVER (
            PARTITION BY r.source_id, r.period_month
            ORDER BY CASE WHEN r.model_version = $pinned_model_version THEN 0 ELSE 1 END, r.model_version_rank DESC
        ) AS version_order,
        d.versions_delivered
    FROM raw.provider_carbon_emissions AS r
    JOIN delivered AS d ON d.source_id = r.source_id AND d.period_month = r.period_month
    WHERE r.period_month >= CAST($start AS DATE) AND r.period_month < CAST($end AS DATE)
),
split AS (
    SELECT *, 1 AS provider_scope, scope_1_lbm_tco2e AS lbm, scope_1_mbm_tco2e AS mbm FROM ranked
    WHERE scope_1_lbm_tco2e IS NOT NULL OR scope_1_mbm_tco2e IS NOT NULL
    UNION ALL
    SELECT *, 2, scope_2_lbm_tco2e, scope_2_mbm_tco2e FROM ranked
    WHERE scope_2_lbm_tco2e IS NOT NULL OR scope_2_mbm_tco2e IS NOT NULL
    UNION ALL
    SELECT *, 3, scope_3_lbm_tco2e, scope_3_mbm_tco2e FROM ranked
    WHERE scope_3_lbm_tco2e IS NOT NULL OR scope_3_mbm_tco2e IS NOT NULL
    UNION ALL
    SELECT *, CAST(NULL AS INTEGER), total_lbm_tco2e, total_mbm_tco2e FROM ranked
    WHERE COALESCE(scope_1_lbm_tco2e, scope_1_mbm_tco2e, scope_2_lbm_tco2e, scope_2_mbm_tco2e,
                   scope_3_lbm_tco2e, scope_3_mbm_tco2e) IS NULL
)
SELECT
    period_month,
    source_id,
    provider,
    model_version,
    delivery_id,
    object_key AS source_object,
    COUNT(*) AS line_item_count,
    account_id,
    region,
    location,
    service,
    provider_scope,
    SUM(lbm) AS location_tco2e,
    SUM(mbm) AS market_tco2e,
    version_order = 1 AS is_selected,
    CASE
        WHEN versions_delivered = 1 THEN 'only version delivered'
        WHEN version_order = 1 AND model_version = $pinned_model_version THEN 'pinned by settings'
        WHEN version_order = 1 THEN 'newest of ' || CAST(versions_delivered AS VARCHAR) || ' versions delivered'
        ELSE 'superseded by the selected version'
    END AS selection_note
FROM split
GROUP BY period_month, source_id, provider, model_version, delivery_id, object_key, account_id, region, location,
    service, provider_scope, version_order, versions_delivered

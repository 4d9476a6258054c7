-- Provider-reported emissions -> ledger. Every model version delivered for a month is kept; exactly
-- one per source and month is selected: the pinned version if the settings pin one, else the newest.
-- Where the export splits by provider scope, one row per provider scope (scope 1 has no
-- location/market distinction, so it counts under both); otherwise one total row.
-- (versions are counted apart and joined: neither Spark nor Trino allows DISTINCT in a window; docs/spark.md)
WITH delivered AS (
    SELECT source_id, period_month, COUNT(DISTINCT model_version) AS versions_delivered
    FROM raw.aws_carbon_emissions
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
    FROM raw.aws_carbon_emissions AS r
    JOIN delivered AS d ON d.source_id = r.source_id AND d.period_month = r.period_month
    WHERE r.period_month >= CAST($start AS DATE) AND r.period_month < CAST($end AS DATE)
),
split AS (
    SELECT *, 1 AS provider_scope, scope_1_mtco2e AS lbm, scope_1_mtco2e AS mbm FROM ranked
    WHERE scope_1_mtco2e IS NOT NULL
    UNION ALL
    SELECT *, 2, scope_2_lbm_mtco2e, scope_2_mbm_mtco2e FROM ranked
    WHERE scope_2_lbm_mtco2e IS NOT NULL OR scope_2_mbm_mtco2e IS NOT NULL
    UNION ALL
    SELECT *, 3, scope_3_lbm_mtco2e, scope_3_mbm_mtco2e FROM ranked
    WHERE scope_3_lbm_mtco2e IS NOT NULL OR scope_3_mbm_mtco2e IS NOT NULL
    UNION ALL
    SELECT *, CAST(NULL AS INTEGER), total_lbm_mtco2e, total_mbm_mtco2e FROM ranked
    WHERE scope_1_mtco2e IS NULL AND scope_2_lbm_mtco2e IS NULL AND scope_2_mbm_mtco2e IS NULL
      AND scope_3_lbm_mtco2e IS NULL AND scope_3_mbm_mtco2e IS NULL
)
SELECT
    period_month,
    source_id,
    'aws' AS provider,
    model_version,
    delivery_id,
    object_key AS source_object,
    COUNT(*) AS line_item_count,
    usage_account_id AS account_id,
    COALESCE(region_code, 'global') AS region,
    location,
    COALESCE(product_code, 'unknown') AS service,
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
GROUP BY period_month, source_id, model_version, delivery_id, object_key, usage_account_id,
    COALESCE(region_code, 'global'), location, COALESCE(product_code, 'unknown'), provider_scope,
    version_order, versions_delivered

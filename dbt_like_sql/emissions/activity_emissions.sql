-- Ledger activity x factors -> emissions, one row per activity and method (location, market).
-- Cloud billing rows are estimated from usage (basis estimated_usage); own operations are activity x
-- factor (basis activity). Rows that cannot be estimated keep a row with NULL tco2e and a flag.
WITH act AS (
    SELECT *
    FROM ledger.activity
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
      AND estimation_class <> 'cost_only'
),
coef AS (
    SELECT
        MAX(CASE WHEN coefficient = 'min_watts_per_vcpu' THEN value END) AS min_w,
        MAX(CASE WHEN coefficient = 'max_watts_per_vcpu' THEN value END) AS max_w,
        MAX(CASE WHEN coefficient = 'average_cpu_utilisation' THEN value END) AS util,
        MAX(CASE WHEN coefficient = 'ssd_wh_per_tb_hour' THEN value END) AS ssd_wh,
        MAX(CASE WHEN coefficient = 'hdd_wh_per_tb_hour' THEN value END) AS hdd_wh,
        MAX(CASE WHEN coefficient = 'network_kwh_per_gb' THEN value END) AS net_kwh,
        MAX(CASE WHEN coefficient = 'pue' THEN value END) AS pue,
        MAX(CASE WHEN coefficient = 'replication_ebs' THEN value END) AS repl_ebs,
        MAX(CASE WHEN coefficient = 'replication_s3' THEN value END) AS repl_s3,
        MAX(CASE WHEN coefficient = 'replication_default' THEN value END) AS repl_default
    FROM factors.cloud_usage_coefficients
    WHERE profile = $coefficient_profile
),
-- Where the energy comes from, per activity: cloud rows by the usage coefficients, electricity as is.
energy AS (
    SELECT
        a.*,
        COALESCE(g.geography, a.geography) AS factor_geography,
        CASE
            WHEN a.service = 'AmazonS3' THEN c.repl_s3
            WHEN a.usage_type LIKE '%EBS:%' THEN c.repl_ebs
            ELSE c.repl_default
        END AS replication,
        date_diff('hour', CAST(a.period_month AS TIMESTAMP), CAST(a.period_month AS TIMESTAMP) + INTERVAL 1 MONTH)
            AS hours_in_month,
        c.*
    FROM act AS a
    CROSS JOIN coef AS c
    LEFT JOIN factors.aws_region_grid AS g
        ON a.provider = 'aws' AND g.region_code = a.region
),
energy_kwh AS (
    SELECT
        *,
        CASE estimation_class
            WHEN 'compute' THEN quantity * vcpu * (min_w + util * (max_w - min_w)) / 1000 * pue
            WHEN 'storage_ssd' THEN quantity * hours_in_month / 1000 * ssd_wh / 1000 * replication * pue
            WHEN 'storage_hdd' THEN quantity * hours_in_month / 1000 * hdd_wh / 1000 * replication * pue
            WHEN 'network' THEN quantity * net_kwh * pue
            WHEN 'electricity' THEN quantity
        END AS kwh,
        CASE estimation_class
            WHEN 'compute' THEN 'instance_hours x vcpu x (min_w + util x (max_w - min_w)) / 1000 x pue'
            WHEN 'storage_ssd' THEN 'gb_months x hours_in_month / 1000 x ssd_wh_per_tb_hour / 1000 x replication x pue'
            WHEN 'storage_hdd' THEN 'gb_months x hours_in_month / 1000 x hdd_wh_per_tb_hour / 1000 x replication x pue'
            WHEN 'network' THEN 'gb x network_kwh_per_gb x pue'
            WHEN 'electricity' THEN 'kwh'
        END AS energy_formula
    FROM energy
),
-- As-of factor resolution: the newest data year not after the activity's year, for the geography and
-- item; an older year is recorded as a fallback on the result.
candidates AS (
    SELECT
        e.activity_id,
        f.factor_id, f.value, f.unit, f.activity_unit, f.boundary, f.data_year,
        ROW_NUMBER() OVER (PARTITION BY e.activity_id ORDER BY f.data_year DESC, f.factor_id) AS pick
    FROM energy_kwh AS e
    JOIN factors.emission_factors AS f
        ON f.data_year <= year(e.period_month)
       AND (
            (e.estimation_class IN ('compute', 'storage_ssd', 'storage_hdd', 'network', 'electricity')
                AND f.item = 'electricity_grid' AND f.geography = e.factor_geography)
            OR (e.estimation_class IN ('fuel', 'travel') AND f.item = e.category AND f.geography = 'global')
       )
),
resolved AS (
    SELECT
        e.*,
        f.factor_id, f.value AS factor_value, f.unit AS factor_unit, f.activity_unit AS factor_activity_unit,
        f.boundary AS factor_boundary, f.data_year AS factor_data_year,
        CASE WHEN f.data_year = year(e.period_month) THEN 'exact' ELSE 'older_year' END AS factor_resolution,
        conv.multiplier AS to_factor_unit
    FROM energy_kwh AS e
    LEFT JOIN candidates AS f ON f.activity_id = e.activity_id AND f.pick = 1
    LEFT JOIN factors.unit_conversions AS conv
        ON conv.from_unit = CASE WHEN e.estimation_class IN ('fuel', 'travel') THEN e.unit ELSE 'kwh' END
       AND conv.to_unit = f.activity_unit
),
location_based AS (
    SELECT
        activity_id, period_month, 'location' AS method,
        CASE WHEN activity_type = 'cloud_usage' THEN 'estimated_usage' ELSE 'activity' END AS basis,
        scope, scope3_category,
        kwh AS energy_kwh,
        factor_id, factor_value, factor_unit, factor_boundary, factor_data_year, factor_resolution,
        CASE
            WHEN kwh IS NOT NULL THEN '(' || energy_formula || ') x factor_kgco2e_per_kwh / 1000'
            ELSE 'quantity x unit_conversion x factor_kgco2e_per_unit / 1000'
        END AS formula,
        CASE
            WHEN factor_id IS NULL OR to_factor_unit IS NULL THEN NULL
            WHEN kwh IS NOT NULL THEN kwh * factor_value / 1000
            ELSE quantity * to_factor_unit * factor_value / 1000
        END AS tco2e,
        CASE
            WHEN flag IS NOT NULL THEN flag
            WHEN estimation_class IN ('compute', 'storage_ssd', 'storage_hdd', 'network', 'electricity')
                 AND kwh IS NULL THEN 'no_energy_estimate'
            WHEN estimation_class = 'unclassified' THEN 'no_usage_coefficient'
            WHEN factor_id IS NULL THEN 'no_factor'
            WHEN to_factor_unit IS NULL THEN 'unit_not_convertible'
        END AS flag
    FROM resolved
),
-- Market-based: contractual instruments (certificates) first, then the supplier's factor, then the
-- location factor as a recorded fallback (no residual-mix factor ships with the project). Fuel and
-- travel do not depend on the method and appear under both.
market_based AS (
    SELECT
        r.activity_id, r.period_month, 'market' AS method, l.basis, r.scope, r.scope3_category,
        r.kwh AS energy_kwh,
        CASE
            WHEN r.estimation_class = 'electricity' AND r.supplier_kgco2e_per_kwh IS NOT NULL
                THEN 'supplier:' || r.source_id || ':' || COALESCE(r.site, '') || ':' || CAST(year(r.period_month) AS VARCHAR)
            ELSE r.factor_id
        END AS factor_id,
        CASE
            WHEN r.estimation_class = 'electricity' AND r.supplier_kgco2e_per_kwh IS NOT NULL THEN r.supplier_kgco2e_per_kwh
            ELSE r.factor_value
        END AS factor_value,
        r.factor_unit,
        CASE
            WHEN r.estimation_class = 'electricity' AND r.supplier_kgco2e_per_kwh IS NOT NULL THEN 'supplier'
            ELSE r.factor_boundary
        END AS factor_boundary,
        -- a supplier factor given on the activity row is that month's own figure
        CASE
            WHEN r.estimation_class = 'electricity' AND r.supplier_kgco2e_per_kwh IS NOT NULL THEN year(r.period_month)
            ELSE r.factor_data_year
        END AS factor_data_year,
        CASE
            WHEN r.estimation_class IN ('fuel', 'travel') THEN 'method_independent'
            WHEN COALESCE(r.certificate_kwh, 0) > 0 AND r.supplier_kgco2e_per_kwh IS NOT NULL THEN 'certificates+supplier'
            WHEN COALESCE(r.certificate_kwh, 0) > 0 THEN 'certificates+location_fallback'
            WHEN r.supplier_kgco2e_per_kwh IS NOT NULL THEN 'supplier'
            ELSE 'location_fallback'
        END AS factor_resolution,
        CASE
            WHEN r.estimation_class = 'electricity'
                THEN '(kwh - min(certificate_kwh, kwh)) x (supplier_kgco2e_per_kwh or location factor) / 1000'
            ELSE l.formula
        END AS formula,
        CASE
            WHEN r.estimation_class = 'electricity' THEN
                (r.kwh - LEAST(COALESCE(r.certificate_kwh, 0), r.kwh))
                * COALESCE(r.supplier_kgco2e_per_kwh, r.factor_value) / 1000
            ELSE l.tco2e
        END AS tco2e,
        l.flag
    FROM resolved AS r
    JOIN location_based AS l ON l.activity_id = r.activity_id
)
SELECT * FROM location_based
UNION ALL
SELECT * FROM market_based

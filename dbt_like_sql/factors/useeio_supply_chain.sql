-- US EPA Supply Chain GHG Emission Factors v1.3 (USEEIO), by 2017 NAICS-6 commodity: kg CO2e per 2022 US
-- dollar at purchaser price, with margins (cradle to point of sale). Spend in another year's dollars is
-- deflated to 2022 first (docs/factors.md).
SELECT
    'useeio:supply-chain-ghg-v1.3:naics:' || "2017 NAICS Code" AS factor_id,
    CAST("Supply Chain Emission Factors with Margins" AS DOUBLE) AS value,
    'kgCO2e/usd' AS unit,
    'usd' AS activity_unit,
    'All GHGs (kg CO2e, as published)' AS gases,
    'as published by US EPA (v1.3)' AS gwp_set,
    'supply_chain' AS boundary,
    'iso3:USA' AS geography,
    'naics:' || "2017 NAICS Code" AS item,
    2022 AS data_year,
    'US EPA' AS publisher,
    'supply-chain-ghg-emission-factors' AS dataset,
    'v1.3.0 (2022 USD, purchaser price, with margins)' AS edition,
    "2017 NAICS Title" || ' (' || "Unit" || '; without margins ' || "Supply Chain Emission Factors without Margins"
        || ' + margins ' || "Margins of Supply Chain Emission Factors" || '; USEEIO ' || "Reference USEEIO Code"
        || ')' AS table_ref,
    'public domain (US EPA)' AS licence,
    TRUE AS redistributable,
    $source_file AS source_file,
    $file_sha256 AS file_sha256,
    CAST(NULLIF($valid_from, '') AS DATE) AS valid_from,
    CAST(NULLIF($valid_to, '') AS DATE) AS valid_to,
    NULLIF($superseded_by, '') AS superseded_by
FROM read_csv($path, header = true, all_varchar = true)
WHERE "GHG" = 'All GHGs'

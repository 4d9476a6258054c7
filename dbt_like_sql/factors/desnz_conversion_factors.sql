-- UK DESNZ "Greenhouse gas reporting: conversion factors 2025" (flat file, kg CO2e total rows), mapped to
-- the item contract by carbon_pipeline/factors/build/build_factor_files.py. Direct (tank-to-wheel /
-- combustion) factors without well-to-tank; hotel stays are the hotel's energy per room-night.
SELECT
    'desnz:conversion-factors-2025:' || item || ':' || replace(geography, 'iso3:', '') || ':' || activity_unit
        AS factor_id,
    CAST(value AS DOUBLE) AS value,
    'kgCO2e/' || activity_unit AS unit,
    activity_unit,
    gases,
    'as published by DESNZ (kg CO2e column; GWPs per the 2025 methodology paper)' AS gwp_set,
    'direct' AS boundary,
    geography,
    item,
    2025 AS data_year,
    'UK DESNZ' AS publisher,
    'ghg-conversion-factors' AS dataset,
    'Greenhouse gas reporting: conversion factors 2025 (flat file)' AS edition,
    table_ref,
    'Open Government Licence v3.0 (contains public sector information licensed under the OGL v3.0)' AS licence,
    TRUE AS redistributable,
    $source_file AS source_file,
    $file_sha256 AS file_sha256,
    CAST(NULLIF($valid_from, '') AS DATE) AS valid_from,
    CAST(NULLIF($valid_to, '') AS DATE) AS valid_to,
    NULLIF($superseded_by, '') AS superseded_by
FROM read_csv($path, header = true, all_varchar = true)

-- Default relative uncertainties (95 % half-width) per data-quality tier, with their source
-- (docs/uncertainty.md); an empty u95_relative is derived (usage_estimated: the profile's min/max watts).
-- distribution: normal or lognormal, the shape the marts' Monte Carlo draws the tier's error from.
SELECT
    axis,
    tier,
    CAST(NULLIF(u95_relative, '') AS DOUBLE) AS u95_relative,
    distribution,
    derivation,
    source,
    reference,
    judgement = 'yes' AS is_judgement,
    note,
    $source_file AS source_file,
    $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

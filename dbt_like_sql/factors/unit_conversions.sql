SELECT from_unit, to_unit, CAST(multiplier AS DOUBLE) AS multiplier, source, reference
FROM read_csv($path, header = true, all_varchar = true)

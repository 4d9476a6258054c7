SELECT item, activity_unit, geography, publisher, status, NULLIF(note, '') AS note
FROM read_csv($path, header = true, all_varchar = true)

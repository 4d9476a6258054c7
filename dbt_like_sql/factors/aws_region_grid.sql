-- AWS region -> the geography whose grid factor applies. US regions use their eGRID subregion;
-- elsewhere the country (sub-national grids are named in geography_note where the factor is national).
SELECT
    region_code,
    location,
    iso3,
    grid_area,
    CASE
        WHEN grid_area LIKE 'eGRID %' THEN 'egrid:' || split_part(grid_area, ' ', 2)
        ELSE 'iso3:' || iso3
    END AS geography,
    CASE
        WHEN grid_area LIKE '%(assumed)%' THEN 'grid area assumed: AWS does not publish the location'
        WHEN grid_area NOT LIKE 'eGRID %' AND grid_area <> 'national' THEN
            'national factor used; grid area: ' || grid_area
    END AS geography_note,
    $source_file AS source_file,
    $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

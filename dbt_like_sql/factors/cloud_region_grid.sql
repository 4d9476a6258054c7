-- Azure, Google Cloud and OCI region -> the geography whose grid factor applies, as factors/aws_region_grid.sql
-- does for AWS: US regions by the eGRID subregion of their state, elsewhere the country's factor. Region
-- codes are matched lower-case (FOCUS RegionId as Azure, Google and Oracle write them).
SELECT
    provider,
    lower(region_code) AS region_code,
    location,
    iso3,
    grid_area,
    CASE
        WHEN grid_area LIKE 'eGRID %' THEN 'egrid:' || split_part(grid_area, ' ', 2)
        ELSE 'iso3:' || iso3
    END AS geography,
    CASE
        WHEN grid_area LIKE 'eGRID %' THEN 'eGRID subregion of the region''s state, assigned by the project'
        ELSE 'national factor used'
    END AS geography_note,
    source,
    $source_file AS source_file,
    $file_sha256 AS file_sha256
FROM read_csv($path, header = true, all_varchar = true)

-- Intensity metrics (issue 15): the comments of the two tables built in the serving file at publish from
-- marts.scope_summary and the sources file's settings.intensity_denominators (serving/intensity_metrics.sql),
-- and their bi view. Apart from views.sql and data_dictionary.sql because the warehouse has no such tables
-- (those two files also run against warehouse-shaped databases).
COMMENT ON TABLE marts.intensity_denominators IS 'Intensity denominators as the organisation gives them in the sources file (settings.intensity_denominators): one row per denominator and reporting year. Empty when none is given.';
COMMENT ON COLUMN marts.intensity_denominators.name IS 'Denominator name, e.g. revenue or employees.';
COMMENT ON COLUMN marts.intensity_denominators.unit IS 'What one unit of the denominator is, e.g. million EUR revenue, FTE.';
COMMENT ON COLUMN marts.intensity_denominators.reporting_year IS 'Calendar year the value is for.';
COMMENT ON COLUMN marts.intensity_denominators.value IS 'The denominator''s value for the year (positive).';
COMMENT ON TABLE marts.intensity_metrics IS 'tCO2e per unit of each denominator: reporting year x scopes (Scope 1, Scope 2, Scope 3, Scopes 1+2, Total) x method x denominator, from every month of marts.scope_summary. Rebuilt whole at each publish; a year without a denominator value has no row.';
COMMENT ON COLUMN marts.intensity_metrics.reporting_year IS 'Calendar year.';
COMMENT ON COLUMN marts.intensity_metrics.scopes IS 'Scope 1, Scope 2, Scope 3, Scopes 1+2 or Total (all three scopes).';
COMMENT ON COLUMN marts.intensity_metrics.method IS 'location or market; never add the two.';
COMMENT ON COLUMN marts.intensity_metrics.denominator IS 'Denominator name (marts.intensity_denominators.name).';
COMMENT ON COLUMN marts.intensity_metrics.denominator_unit IS 'What one unit of the denominator is.';
COMMENT ON COLUMN marts.intensity_metrics.denominator_value IS 'The denominator''s value for the year.';
COMMENT ON COLUMN marts.intensity_metrics.tco2e IS 'Metric tons CO2e of the scopes for the year (only the months covered); equals bi.inventory_by_year summed over the scopes.';
COMMENT ON COLUMN marts.intensity_metrics.tco2e_per_unit IS 'tco2e / denominator_value: metric tons CO2e per unit. A ratio: never sum it; recompute from tco2e and denominator_value.';
COMMENT ON COLUMN marts.intensity_metrics.months_covered IS 'Months of the year with inventory rows: below 12 means a partial year, whose intensity is not comparable with a full year''s.';

CREATE OR REPLACE VIEW bi.intensity_metrics AS
SELECT reporting_year, scopes, method, denominator, denominator_unit, denominator_value, tco2e, tco2e_per_unit,
    months_covered, months_covered < 12 AS partial_year
FROM marts.intensity_metrics;
COMMENT ON VIEW bi.intensity_metrics IS 'Intensity metrics (marts.intensity_metrics): tCO2e per unit of each denominator the sources file gives, per reporting year x scopes x method. Never sum tco2e_per_unit; sum tco2e and divide.';
COMMENT ON COLUMN bi.intensity_metrics.reporting_year IS 'Calendar year.';
COMMENT ON COLUMN bi.intensity_metrics.scopes IS 'Scope 1, Scope 2, Scope 3, Scopes 1+2 or Total (all three scopes).';
COMMENT ON COLUMN bi.intensity_metrics.method IS 'location or market; never add the two.';
COMMENT ON COLUMN bi.intensity_metrics.denominator IS 'Denominator name from settings.intensity_denominators.';
COMMENT ON COLUMN bi.intensity_metrics.denominator_unit IS 'What one unit of the denominator is.';
COMMENT ON COLUMN bi.intensity_metrics.denominator_value IS 'The denominator''s value for the year.';
COMMENT ON COLUMN bi.intensity_metrics.tco2e IS 'Metric tons CO2e of the scopes for the year (only the months covered).';
COMMENT ON COLUMN bi.intensity_metrics.tco2e_per_unit IS 'Metric tons CO2e per unit of the denominator; a ratio, never summed.';
COMMENT ON COLUMN bi.intensity_metrics.months_covered IS 'Months of the year with inventory rows.';
COMMENT ON COLUMN bi.intensity_metrics.partial_year IS 'True when fewer than 12 months are covered: not comparable with a full year.';

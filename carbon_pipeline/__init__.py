"""carbon_pipeline: cloud billing, carbon exports and activity data into a GHG Protocol inventory.

Layout follows the data: ``sources`` (readers of what clouds and people deliver) -> ``warehouse``
(DuckDB, SQL models in ../dbt_like_sql) -> ``factors`` (the factor catalogue) -> ``defs`` (the Dagster
assets, checks, schedules and sensors that run the stages) -> ``serving`` (the published BI file) ->
``reporting`` (the printed inventory).
"""

__version__ = "0.1.0"

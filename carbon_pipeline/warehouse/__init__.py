"""DuckDB: the SQL models of ../dbt_like_sql, how they are run, and how partitions are replaced."""

"""Column contracts as great-expectations suites, run on bounded pandas frames (GE 1.x cannot
validate DuckDB through SQLAlchemy; whole-partition rules are SQL checks in dbt_like_sql/checks)."""

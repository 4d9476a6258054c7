"""The published, read-only DuckDB file BI tools open."""

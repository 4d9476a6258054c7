"""The CUR contract's row-level rules checked inside the raw stage's transaction, before it commits.

The blocking great-expectations check ``line_item_groups_contract`` runs after the raw asset has committed: a
delivery it refused (an account id that is not 12 digits) stayed in ``raw.*`` marked loaded, and the message
named only the check. The same rules (quality/expectations.py, ``raw.cur_line_item_groups``) are evaluated here
on the month's groups while the load can still be rolled back, and the first offence is reported by object,
row, column and value. The great-expectations check stays as the independent second line.
"""

from __future__ import annotations

from datetime import date

import duckdb

from carbon_pipeline.quality.contract_values import LINE_ITEM_TYPES
from carbon_pipeline.sources.validation import refuse_invalid_rows

INVALID_MODEL = "staging/cur_line_item_groups__invalid"  # the rules, as the companion model of the groups


def refuse_contract_violations(con: duckdb.DuckDBPyConnection, *, source_id: str, month: date, csv_names: bool) -> None:
    """Raise SourceError for the first group of ``source_id``'s ``month`` breaking a contract rule
    (dbt_like_sql/staging/cur_line_item_groups__invalid.sql, run by sources/validation.py). Column names are the
    CSV headers for legacy CSV objects (``csv_names``), else the Athena/CUR 2.0 names."""
    refuse_invalid_rows(
        con, INVALID_MODEL, source_id=source_id, month=month, types=list(LINE_ITEM_TYPES), csv_names=csv_names
    )

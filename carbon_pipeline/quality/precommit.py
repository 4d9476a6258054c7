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

from carbon_pipeline.errors import SourceError
from carbon_pipeline.safety.limits import truncate

# (column of raw.cur_line_item_groups, CUR 1 CSV header, Athena / CUR 2.0 name, SQL true for an offending value)
RULES = (
    (
        "usage_account_id",
        "lineItem/UsageAccountId",
        "line_item_usage_account_id",
        "usage_account_id IS NULL OR NOT regexp_full_match(usage_account_id, '[0-9]{12}')",
    ),
    (
        "payer_account_id",
        "bill/PayerAccountId",
        "bill_payer_account_id",
        "NOT regexp_full_match(payer_account_id, '[0-9]{12}')",
    ),
    (
        "line_item_type",
        "lineItem/LineItemType",
        "line_item_line_item_type",
        "NOT list_contains($types, line_item_type)",  # NULL passes, as in the great-expectations rule
    ),
    ("currency", "lineItem/CurrencyCode", "line_item_currency_code", "NOT regexp_full_match(currency, '[A-Z]{3}')"),
)


def refuse_contract_violations(con: duckdb.DuckDBPyConnection, *, source_id: str, month: date, csv_names: bool) -> None:
    """Raise SourceError for the first group of ``source_id``'s ``month`` breaking a contract rule. Column names
    are the CSV headers for legacy CSV objects (``csv_names``), else the Athena/CUR 2.0 names."""
    from carbon_pipeline.quality.expectations import LINE_ITEM_TYPES

    for column, header, athena, offending in RULES:
        params: dict[str, object] = {"source_id": source_id, "month": month}
        if "$types" in offending:
            params["types"] = LINE_ITEM_TYPES
        row = con.execute(
            f"""SELECT object_key, first_line, {column} FROM raw.cur_line_item_groups
                WHERE source_id = $source_id AND period_month = $month AND ({offending})
                ORDER BY object_key, first_line LIMIT 1""",
            params,
        ).fetchall()
        if row:
            key, line, value = row[0]
            is_csv = csv_names and not key.lower().endswith(".parquet")
            raise SourceError(
                f"value {truncate(value, 100)!r} breaks the CUR contract; nothing of the delivery was kept",
                source_id=source_id,
                object_key=key,
                row=line,
                column=header if is_csv else athena,
            )

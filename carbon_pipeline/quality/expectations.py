"""great-expectations suites for the column contracts of raw and ledger data.

GE runs in an ephemeral context on a deterministic, bounded sample of the partition pulled from
DuckDB (only the columns the contract reads); the sample size is part of the result so nobody
mistakes a sample for the whole. This module does not import GE (about 3 s of imports): ``run_suite`` does,
in the helper process of a run that started one (quality/suite_process.py), else in the check's own process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import duckdb

from carbon_pipeline.quality import suite_process
from carbon_pipeline.quality.contract_values import LINE_ITEM_TYPES
from carbon_pipeline.warehouse.sql_models import run_model

MAX_ROWS = 200_000
ACTIVITY_TYPES = ["cloud_usage", "cloud_charge", "electricity", "fuel", "vehicle", "travel", "spend"]
ESTIMATION_CLASSES = [
    "compute",
    "gpu",
    "serverless_lambda",
    "serverless_fargate",
    "storage_ssd",
    "storage_hdd",
    "network",
    "memory",  # FOCUS usage billed as memory GB-hours (ledger/activity_focus.sql)
    "electricity",
    "fuel",
    "vehicle",
    "travel",
    "spend",
    "cost_only",
    "unclassified",
]


@dataclass(frozen=True)
class Contract:
    name: str
    table: str
    order_by: str  # a unique key: the sample must be the same rows every time (hashed, not sorted)
    expectations: tuple[tuple[str, dict[str, Any]], ...]
    condition_columns: tuple[str, ...] = ()  # read by a row_condition
    # a checks/ model returning the frame to validate whole (its rows stand for every row of the months),
    # instead of a hashed sample of the table's rows
    frame_model: str | None = None

    def columns(self) -> list[str]:
        """Only what the expectations read: a raw CUR row also carries tag maps and a dozen other columns
        whose conversion to pandas would cost more than the validation."""
        wanted = [kwargs["column"] for _, kwargs in self.expectations] + list(self.condition_columns)
        return list(dict.fromkeys(wanted))


CONTRACTS = {
    "raw.aws_cur_line_items": Contract(
        "raw_aws_cur_line_items",
        "raw.aws_cur_line_items",
        "source_id, period_month, object_key, object_line",
        (
            ("ExpectColumnValuesToNotBeNull", {"column": "usage_account_id"}),
            ("ExpectColumnValuesToMatchRegex", {"column": "usage_account_id", "regex": r"^\d{12}$"}),
            ("ExpectColumnValuesToMatchRegex", {"column": "payer_account_id", "regex": r"^\d{12}$"}),
            ("ExpectColumnValuesToBeInSet", {"column": "line_item_type", "value_set": LINE_ITEM_TYPES}),
            ("ExpectColumnValuesToMatchRegex", {"column": "currency", "regex": r"^[A-Z]{3}$"}),
            ("ExpectColumnValuesToNotBeNull", {"column": "usage_start"}),
            # CSV lines count from 2 (the header is line 1), Parquet rows from 1
            ("ExpectColumnValuesToBeBetween", {"column": "object_line", "min_value": 1}),
        ),
    ),
    "ledger.activity": Contract(
        "ledger_activity",
        "ledger.activity",
        "activity_id, period_month",
        (
            *(
                ("ExpectColumnValuesToNotBeNull", {"column": c})
                for c in ("activity_id", "source_id", "source_object", "source_version", "line_item_count")
            ),
            ("ExpectColumnValuesToBeUnique", {"column": "activity_id"}),
            ("ExpectColumnValuesToBeInSet", {"column": "activity_type", "value_set": ACTIVITY_TYPES}),
            ("ExpectColumnValuesToBeInSet", {"column": "estimation_class", "value_set": ESTIMATION_CLASSES}),
            ("ExpectColumnValuesToBeInSet", {"column": "scope", "value_set": [1, 2, 3]}),
            ("ExpectColumnValuesToBeBetween", {"column": "scope3_category", "min_value": 1, "max_value": 15}),
            # 12-digit AWS account ids for CUR rows (legacy, 2.0) only: FOCUS sub accounts are whatever a provider uses
            # (Azure subscription paths, OCI OCIDs; the anonymised FinOps sample's AWS ids have 11 digits).
            (
                "ExpectColumnValuesToMatchRegex",
                {
                    "column": "account_id",
                    "regex": r"^\d{12}$",
                    "row_condition": 'source_kind in ["aws_cur", "aws_cur2"]',
                    "condition_parser": "pandas",
                },
            ),
            ("ExpectColumnValuesToBeBetween", {"column": "line_item_count", "min_value": 1}),
        ),
        condition_columns=("source_kind",),
    ),
}

CONTRACTS["raw.cur_line_item_groups"] = Contract(
    "raw_cur_line_item_groups",
    "raw.cur_line_item_groups",
    "usage_account_id, payer_account_id, line_item_type, currency",
    (
        ("ExpectColumnValuesToNotBeNull", {"column": "usage_account_id"}),
        ("ExpectColumnValuesToMatchRegex", {"column": "usage_account_id", "regex": r"^\d{12}$"}),
        ("ExpectColumnValuesToMatchRegex", {"column": "payer_account_id", "regex": r"^\d{12}$"}),
        ("ExpectColumnValuesToBeInSet", {"column": "line_item_type", "value_set": LINE_ITEM_TYPES}),
        ("ExpectColumnValuesToMatchRegex", {"column": "currency", "regex": r"^[A-Z]{3}$"}),
        ("ExpectColumnValuesToNotBeNull", {"column": "first_usage_start"}),
        ("ExpectColumnValuesToBeBetween", {"column": "first_line", "min_value": 1}),
        ("ExpectColumnValuesToBeBetween", {"column": "line_item_count", "min_value": 1}),
    ),
    frame_model="checks/cur_group_values",
)

# CUR 2.0 rows are staged by the same model into a table with the same columns: the same contract.
CONTRACTS["raw.aws_cur2_line_items"] = replace(
    CONTRACTS["raw.aws_cur_line_items"], name="raw_aws_cur2_line_items", table="raw.aws_cur2_line_items"
)


@dataclass(frozen=True)
class ContractResult:
    passed: bool
    sampled_rows: int  # rows of the frame great-expectations saw
    total_rows: int
    failures: list[dict[str, Any]]
    whole: bool = False  # the frame stands for every row of the months (a frame model), not a sample


def validate_contract(
    con: duckdb.DuckDBPyConnection, table: str, start: date, end: date, **params: Any
) -> ContractResult:
    """Validate ``table``'s contract on its months [start, end): the contract's frame model when it has one
    (``params`` bound to it), else the table's rows sampled deterministically to MAX_ROWS."""
    contract = CONTRACTS[table]
    if contract.frame_model is not None:
        frame = run_model(con, contract.frame_model, start=start, end=end, **params).fetchdf()
        total = int(frame["line_items"].sum()) if len(frame) else 0
        if total == 0:
            return ContractResult(True, 0, 0, [])
    else:
        total = con.execute(
            f"SELECT COUNT(*) FROM {table} WHERE period_month >= ? AND period_month < ?", [start, end]
        ).fetchall()[0][0]
        if total == 0:  # nothing to validate (e.g. no source of this kind)
            return ContractResult(True, 0, 0, [])
        # A deterministic sample without sorting the month: rows whose key hashes into one of `step`
        # buckets (about total/step rows); every row when the month is small enough. The step is bound as
        # UBIGINT, hash()'s own type: bound as a Python int (INTEGER), DuckDB widened every row's hash to HUGEINT
        # for the modulo, 1.64 s instead of 0.25 s at a 10M-line month (docs/performance.md, Profile 35).
        step = max(1, -(-total // MAX_ROWS))
        frame = con.execute(
            f"""SELECT {", ".join(contract.columns())} FROM {table}
                WHERE period_month >= ? AND period_month < ?
                  AND (? = 1 OR hash({contract.order_by}) % CAST(? AS UBIGINT) = 0)""",
            [start, end, step, step],
        ).fetchdf()
    passed, failures = suite_process.call(run_suite, table, frame)
    return ContractResult(passed, len(frame), total, failures, contract.frame_model is not None)


def great_expectations() -> Any:
    """The great_expectations module, imported with its analytics off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    return gx


def run_suite(table: str, frame: Any) -> tuple[bool, list[dict[str, Any]]]:
    """``table``'s contract suite on ``frame`` (a pandas frame of the contract's columns): whether it passed, and
    each failed expectation with its column, unexpected count and up to three examples."""
    gx = great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    contract = CONTRACTS[table]
    context = gx.get_context(mode="ephemeral")
    # progress bars would be written to the terminal of `make run` for every check
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset(name=contract.name)
        .add_batch_definition_whole_dataframe("sample")
    )
    suite = context.suites.add(gx.ExpectationSuite(name=contract.name))
    for expectation, kwargs in contract.expectations:
        suite.add_expectation(getattr(gx.expectations, expectation)(**kwargs))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=contract.name, data=batch, suite=suite)
    )
    result = validation.run(batch_parameters={"dataframe": frame})
    failures = [
        {
            "expectation": r.expectation_config.type,
            "column": r.expectation_config.kwargs.get("column"),
            "unexpected_count": (r.result or {}).get("unexpected_count"),
            "examples": [str(v) for v in ((r.result or {}).get("partial_unexpected_list") or [])[:3]],
        }
        for r in result.results
        if not r.success
    ]
    return bool(result.success), failures

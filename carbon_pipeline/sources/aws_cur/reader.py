"""Legacy AWS Cost and Usage Report (CUR 1): CSV (gzip, ZIP or plain) and Parquet, in all three layouts.

The manifest is the only truth about which objects make up the current delivery: old assemblyId folders keep
stale full copies, so data files are never globbed. Earlier assemblies found beside the current one are
recorded as superseded deliveries, not read. Where the manifest is (docs/sources.md):

* CSV, create-new-version and overwrite: ``yyyymmdd-yyyymmdd/<report>-Manifest.json`` (exclusive end),
  objects in an ``<assemblyId>/`` subfolder or directly in the period folder;
* Parquet (Athena, always overwrite): ``<report>/year=YYYY/month=M/<report>-Manifest.json`` beside the
  ``<report>-0000N.snappy.parquet`` objects (``month=MM`` is accepted too).

Each object is read by its own extension (the manifest's ``compression`` need only be one AWS offers):
``.parquet`` with DuckDB's Parquet reader, ``.csv``/``.csv.gz`` with its CSV reader, and ``.zip``, which
DuckDB cannot read, by extracting its single CSV member beside it in chunks (never whole in memory) and
deleting the copy once the object is loaded. Columns are matched by their Athena snake_case name, so CSV
headers (``lineItem/UsageAmount``), CSV files written with Athena names and Parquet all read the same; missing
optional ones read as NULL. The dynamic columns are kept without widening the table: every ``resourceTags/*``
(``resource_tags_*``) column becomes a key of the row's ``resource_tags`` JSON object and every
``costCategory/*`` (``cost_category_*``) column a key of ``cost_category``, the columns CUR 2.0 keeps its maps
in (see tag_maps); other extra columns (product attributes) are ignored. Typed Parquet columns become text
before the staging model casts them, so a bad value is reported with its row and column, whatever the format
(see cur_varchar for timestamps and account ids).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from carbon_pipeline.errors import SourceError
from carbon_pipeline.months import next_month
from carbon_pipeline.quality import suite_process
from carbon_pipeline.safety.extraction import ExtractionRefused, extract_member, private_folder
from carbon_pipeline.safety.limits import LineTooLong, max_header_bytes, read_first_line, truncate
from carbon_pipeline.safety.names import literal
from carbon_pipeline.safety.periods import cur_period_month
from carbon_pipeline.sources.archive import ArchivedObject, archive_objects, archive_root
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.cur_shared import DEFAULT_RAW_LINE_ITEMS
from carbon_pipeline.sources.deliveries import (
    forget_month,
    previous_identity,
    record_delivery,
    record_restatement_if_changed,
    unchanged_delivery,
    versions_digest,
)
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import Landing
from carbon_pipeline.sources.tabular import (
    athena_name,
    read_delimited,
    read_parquet_varchar,
    varchar_expression,
)
from carbon_pipeline.sources.validation import refuse_invalid_rows
from carbon_pipeline.warehouse.connection import memory_limit_bytes, scratch_connection
from carbon_pipeline.warehouse.sql_models import insert_model, insert_union, model_sql, strip_comments

KIND = "aws_cur"
TABLE = "raw.aws_cur_line_items"
REQUIRED_COLUMNS = (
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_usage_start_date",
    "line_item_usage_amount",
    "line_item_unblended_cost",
)
OPTIONAL_COLUMNS = (
    "identity_line_item_id",
    "bill_payer_account_id",
    "line_item_operation",
    "line_item_usage_end_date",
    "pricing_unit",
    "line_item_currency_code",
    "product_region_code",
    "product_region",
    "product_location",
    "product_instance_type",
    "product_vcpu",
    "resource_tags",  # CUR 2.0's tag map as JSON (aws_cur2); legacy files have one column per tag instead
    "cost_category",  # likewise for cost categories
)
# CSV header names, for messages: users know `lineItem/UsageAmount`, not its Athena spelling.
CSV_NAMES = {
    "line_item_usage_account_id": "lineItem/UsageAccountId",
    "line_item_line_item_type": "lineItem/LineItemType",
    "line_item_product_code": "lineItem/ProductCode",
    "line_item_usage_type": "lineItem/UsageType",
    "line_item_usage_start_date": "lineItem/UsageStartDate",
    "line_item_usage_amount": "lineItem/UsageAmount",
    "line_item_unblended_cost": "lineItem/UnblendedCost",
}
ACCOUNT_ID_DIGITS = 12
INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}
CSV_SUFFIXES = (".csv", ".csv.gz", ".gz")
# Columns staging/aws_cur_line_items.sql TRY_CASTs to a number or timestamp: a Parquet column of one of
# STAGING_TYPES reaches it typed (cur_varchar), any other type as text.
TYPED_FOR_STAGING = (
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_usage_amount",
    "line_item_unblended_cost",
    "product_vcpu",
)
STAGING_TYPES = {"DOUBLE", "FLOAT", "DECIMAL", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DATE", *INTEGER_TYPES}
COMPRESSIONS = ("GZIP", "ZIP", "PARQUET", "NONE", "")
COPY_CHUNK = 1 << 20
# (raw column, Athena prefix of the columns folded into it): legacy CUR writes one column per activated tag
# or cost category, and the set changes from month to month.
TAG_MAPS = (("resource_tags", "resource_tags_"), ("cost_category", "cost_category_"))
GZIP_MAGIC = b"\x1f\x8b"


def period_folder(month: date) -> str:
    return f"{month:%Y%m%d}-{next_month(month):%Y%m%d}"


def parquet_folders(name: str, month: date) -> tuple[str, ...]:
    """The Athena layout's partition folder of ``month``: AWS writes ``month=1``; ``month=01`` is accepted
    because copies made by other tools zero-pad."""
    return (f"{name}/year={month.year}/month={month.month}", f"{name}/year={month.year}/month={month.month:02d}")


def manifest_location(landing: Landing, name: str, month: date) -> tuple[str, str] | None:
    """(folder, manifest key) of ``month``'s period-level manifest in whichever layout holds it."""
    for folder in (period_folder(month), *parquet_folders(name, month)):
        key = f"{folder}/{name}-Manifest.json"
        if landing.exists(key):
            return folder, key
    return None


def report_name(source: SourceConfig) -> str:
    return str(source.options.get("report_name") or source.uri.rstrip("/").rsplit("/", 1)[-1])


@dataclass(frozen=True)
class CurDelivery:
    month: date
    assembly_id: str
    manifest_key: str
    object_keys: tuple[str, ...]
    superseded: tuple[tuple[str, str], ...] = field(default=())


def _relative_key(source_id: str, manifest_key: str, folder: str, key: str) -> str:
    marker = f"{folder}/"
    if marker not in key:
        raise SourceError(
            f"reportKeys entry '{key}' is not inside the period folder '{folder}'",
            source_id=source_id,
            object_key=manifest_key,
        )
    return marker + key.split(marker, 1)[1]


def discover_delivery(landing: Landing, source: SourceConfig, month: date) -> CurDelivery | None:
    """The current delivery of ``month`` per its period-level manifest, or None if there is none."""
    name = report_name(source)
    location = manifest_location(landing, name, month)
    if location is None:
        return None
    folder, manifest_key = location
    manifest = landing.read_json(manifest_key)
    if not isinstance(manifest, dict):
        raise SourceError("manifest is not a JSON object", source_id=source.id, object_key=manifest_key)
    for key in ("assemblyId", "reportKeys", "billingPeriod"):
        if key not in manifest:
            raise SourceError(f"manifest has no '{key}'", source_id=source.id, object_key=manifest_key)
    start = str(manifest["billingPeriod"].get("start", ""))[:8]
    if start != f"{month:%Y%m%d}":
        raise SourceError(
            f"manifest billingPeriod.start {start!r} does not match folder {folder}",
            source_id=source.id,
            object_key=manifest_key,
        )
    compression = str(manifest.get("compression", "GZIP")).upper()
    if compression not in COMPRESSIONS:
        raise SourceError(
            f"compression {compression!r} is not one AWS offers for CUR (GZIP, ZIP, Parquet)",
            source_id=source.id,
            object_key=manifest_key,
        )
    assembly_id = str(manifest["assemblyId"])
    keys = tuple(_relative_key(source.id, manifest_key, folder, k) for k in manifest["reportKeys"])
    superseded = []
    for sub in landing.list_dirs(folder):
        older_key = f"{folder}/{sub}/{name}-Manifest.json"
        if sub != assembly_id and landing.exists(older_key):
            older = landing.read_json(older_key)
            if isinstance(older, dict) and older.get("assemblyId") not in (None, assembly_id):
                superseded.append((str(older["assemblyId"]), older_key))
    return CurDelivery(month, assembly_id, manifest_key, keys, tuple(superseded))


def cur_varchar(name: str, dtype: duckdb.DuckDBPyType) -> duckdb.Expression:
    """A typed Parquet column as the text the staging model casts (tabular.varchar_expression), except:
    the numbers and timestamps the model casts itself (TYPED_FOR_STAGING) stay typed, since formatting a
    DOUBLE as text and parsing it back cost more than the rest of the scan; and account ids typed as
    integers are zero-padded back to 12 digits. AWS writes ids as strings, but copies (the public CUR 2.0
    sample among them) store int64, which drops the leading zeros of ids like 012345678901; unpadded, such an
    id would not match the same account elsewhere (carbon export, other months). A value too long for 12
    digits is kept as it is, not cut."""
    if athena_name(name) in TYPED_FOR_STAGING and str(dtype).split("(")[0] in STAGING_TYPES:
        column = duckdb.ColumnExpression(name)
        if str(dtype) == "TIMESTAMP WITH TIME ZONE":  # as UTC wall time, the form the staging model keeps
            column = duckdb.FunctionExpression("timezone", duckdb.ConstantExpression("UTC"), column)
        return column.alias(name)
    if not athena_name(name).endswith("_account_id") or str(dtype) not in INTEGER_TYPES:
        return varchar_expression(name, dtype)
    column = duckdb.ColumnExpression(name)
    text = column.cast(duckdb.sqltype("VARCHAR"))
    padded = duckdb.FunctionExpression(
        "lpad", text, duckdb.ConstantExpression(ACCOUNT_ID_DIGITS), duckdb.ConstantExpression("0")
    )
    fits = column.between(duckdb.ConstantExpression(0), duckdb.ConstantExpression(10**ACCOUNT_ID_DIGITS - 1))
    return duckdb.CaseExpression(fits, padded).otherwise(text).alias(name)


@contextmanager
def extracted_csv(path: Path, *, source_id: str, object_key: str) -> Iterator[Path]:
    """The single CSV member of a ZIP object as a file DuckDB can read (it reads no ZIP), copied in 1 MiB
    chunks so that a report of gigabytes never sits in memory, into a private folder under the staging root
    (never the landing folder), within the extraction limits (safety/extraction.py); deleted when the block
    ends."""
    from carbon_pipeline.settings import load_settings

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(f"cannot be read as ZIP: {exc}", source_id=source_id, object_key=object_key) from exc
    with archive, private_folder(load_settings().staging) as folder:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            names = ", ".join(truncate(m.filename, 100) for m in members[:5]) or "nothing"
            raise SourceError(
                f"a CUR ZIP object holds exactly one CSV file, this one holds {len(members)} ({names})",
                source_id=source_id,
                object_key=object_key,
            )
        target = folder / "member.csv"  # a fixed name: the member's own name is never a path
        try:
            extract_member(archive, members[0], target, compressed_size=path.stat().st_size)
        except ExtractionRefused as exc:
            raise SourceError(f"refused: {exc}", source_id=source_id, object_key=object_key) from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise SourceError(
                f"ZIP member cannot be extracted: {exc}", source_id=source_id, object_key=object_key
            ) from exc
        yield target


def dynamic_columns(names: list[str]) -> dict[str, dict[str, str]]:
    """{raw map column: {Athena column name: map key}} of an object's tag and cost-category columns. The key
    is the Athena name after its prefix, which a CSV header (``resourceTags/user:team``) and a Parquet
    column (``resource_tags_user_team``) of the same tag share: ``user_team``, CUR 2.0's own spelling."""
    found: dict[str, dict[str, str]] = {column: {} for column, _ in TAG_MAPS}
    for name in names:
        athena = athena_name(name)
        for column, prefix in TAG_MAPS:
            if athena.startswith(prefix) and len(athena) > len(prefix):
                found[column][athena] = athena[len(prefix) :]
    return found


def header_names(
    con: duckdb.DuckDBPyConnection, path: Path, *, parquet: bool, source_id: str = "", object_key: str = ""
) -> list[str]:
    """The object's column names, read from the Parquet footer or the CSV's first line only: which tag
    columns exist must be known before the one scan that loads the object, and this costs no scan. A
    damaged object yields no names: the reader that follows reports the damage with its usual message."""
    try:
        if parquet:
            return con.read_parquet(literal(path)).columns
        with path.open("rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
        opener = gzip.open if compressed else open
        with opener(path, "rb") as handle:
            # bounded: a compressed object expanding to gigabytes with no newline must not be read whole
            first = read_first_line(handle).decode("utf-8-sig", errors="replace")
    except LineTooLong as exc:
        raise SourceError(f"cannot be read as CSV: {exc}", source_id=source_id, object_key=object_key) from exc
    except (duckdb.Error, OSError, EOFError, zlib.error):
        return []
    return next(csv.reader(io.StringIO(first)), [])


def plain_aws_header(
    path: Path,
    names: list[str],
    required: Iterable[str] = REQUIRED_COLUMNS,
    normalise: Callable[[str], str] = athena_name,
) -> bool:
    """Whether a CSV object is plainly what AWS Data Exports write (comma-separated, double quotes, a header
    naming every ``required`` column as ``normalise`` spells it, without an empty or repeated name, and a first
    row as wide as the header), so that the header already read is enough and DuckDB's dialect sniffer need not
    run: it decompresses and parses a sample of every object, 0.65 s CPU per gzip CUR object (docs/performance.md,
    Profile 11), about 12 ms for each small carbon export object (Profile 29). Anything else (a short header,
    another delimiter, a quoted newline in the first row) takes the sniffing path and is read or refused exactly
    as before. Reads two lines, never the object. The defaults are legacy CUR's."""
    if not names or not all(names) or len(set(names)) != len(names):
        return False
    if not set(required) <= {normalise(name) for name in names}:
        return False
    try:
        with path.open("rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
        with (gzip.open if compressed else open)(path, "rb") as handle:
            # bounded reads: a second line of gigabytes with no newline must not be read whole (issue 13);
            # a line cut at the bound is simply not a plain row, and the sniffing path decides
            limit = max_header_bytes()
            handle.readline(limit)
            second = handle.readline(limit).decode("utf-8", errors="replace")
    except (OSError, EOFError, zlib.error):
        return False
    row = next(csv.reader(io.StringIO(second)), None)
    return row is None or len(row) == len(names)


def tag_maps(relation: duckdb.DuckDBPyRelation, dynamic: dict[str, dict[str, str]]) -> duckdb.DuckDBPyRelation:
    """The relation with its tag and cost-category columns folded into one JSON object text per kind (the
    form CUR 2.0's maps are kept in), empty values left out and NULL where none is left, within the same
    single scan. Text, not a MAP column, because of what it costs per row: on a 1M-row month a MAP column
    adds about three times the CPU of the text (docs/sources.md); query it with json_extract_string. The
    object is concatenated (JSON-encoded keys and values joined by concat_ws, which skips absent ones):
    no per-row list or map is built, and an untagged row costs one comparison per column."""
    folded = [name for columns in dynamic.values() for name in columns]
    star = duckdb.StarExpression(exclude=[*folded, *dynamic])
    expressions: list[duckdb.Expression] = [star]
    empty = duckdb.ConstantExpression("")
    for column, columns in dynamic.items():
        if not columns:
            expressions.append(duckdb.ConstantExpression(None).cast(duckdb.sqltype("VARCHAR")).alias(column))
            continue
        members = []
        present = None
        for name, key in columns.items():
            value = duckdb.ColumnExpression(name)
            has_value = value != empty
            encoded = duckdb.FunctionExpression("to_json", value).cast(duckdb.sqltype("VARCHAR"))
            member = duckdb.FunctionExpression("concat", duckdb.ConstantExpression(f"{json.dumps(key)}:"), encoded)
            members.append(duckdb.CaseExpression(has_value, member))
            present = has_value if present is None else present | has_value
        joined = duckdb.FunctionExpression("concat_ws", duckdb.ConstantExpression(","), *members)
        braces = (duckdb.ConstantExpression("{"), joined, duckdb.ConstantExpression("}"))
        text = duckdb.FunctionExpression("concat", *braces)
        expressions.append(duckdb.CaseExpression(present, text).alias(column))
    return relation.select(*expressions)


def _csv_display(name: str) -> str:
    return CSV_NAMES.get(name, name)


def _same_name(name: str) -> str:
    return name


@contextmanager
def open_object(
    con: duckdb.DuckDBPyConnection, path: Path, *, source_id: str, object_key: str
) -> Iterator[tuple[duckdb.DuckDBPyRelation, Callable[[str], str]]]:
    """One CUR object as an all-VARCHAR relation with Athena column names, and how to show a column name in
    messages (CSV users know ``lineItem/UsageAmount``, Parquet users ``line_item_usage_amount``). The
    relation is lazy: use it inside the block, while an extracted ZIP member still exists."""
    lowered = object_key.lower()

    def shape(data: Path, parquet: bool) -> tuple[dict[str, object], dict[str, dict[str, str]]]:
        names = header_names(con, data, parquet=parquet, source_id=source_id, object_key=object_key)
        dynamic = dynamic_columns(names)
        extra = tuple(name for columns in dynamic.values() for name in columns)
        options: dict[str, object] = {
            "source_id": source_id,
            "object_key": object_key,
            "normalise": athena_name,
            "required": REQUIRED_COLUMNS,
            "optional": (*OPTIONAL_COLUMNS, *extra),
        }
        if not parquet and plain_aws_header(data, names):
            options["header"] = names  # read_delimited skips DuckDB's dialect sniffer
        return options, dynamic

    if lowered.endswith(".parquet"):
        options, dynamic = shape(path, True)
        relation = read_parquet_varchar(con, path, display=_same_name, cast=cur_varchar, **options)
        yield tag_maps(relation, dynamic), _same_name
    elif lowered.endswith(".zip"):
        with extracted_csv(path, source_id=source_id, object_key=object_key) as csv_path:
            options, dynamic = shape(csv_path, False)
            yield tag_maps(read_delimited(con, csv_path, display=_csv_display, **options), dynamic), _csv_display
    elif lowered.endswith(CSV_SUFFIXES):
        options, dynamic = shape(path, False)
        yield tag_maps(read_delimited(con, path, display=_csv_display, **options), dynamic), _csv_display
    else:
        raise SourceError(
            "unsupported object type (expected .csv, .csv.gz, .zip or .parquet)",
            source_id=source_id,
            object_key=object_key,
        )


SCAN_ERRORS = (duckdb.IOException, duckdb.InvalidInputException, duckdb.ConversionException)


@contextmanager
def scan_errors(source_id: str, object_key: str) -> Iterator[None]:
    """Damage found only while scanning (a truncated gzip stream, a corrupt Parquet page, a CSV line with
    too many fields) as a SourceError naming the object, not a bare DuckDB message naming a staged path."""
    try:
        yield
    except SCAN_ERRORS as exc:
        reason = str(exc).strip().splitlines()[0]
        raise SourceError(f"cannot be read: {reason}", source_id=source_id, object_key=object_key) from exc


GROUPS_TABLE = "raw.cur_line_item_groups"
INVALID_MODEL = "staging/aws_cur_line_items__invalid"  # the staging model's companion (sources/validation.py)
COPIED, REFERENCED, ARCHIVED = "copied", "referenced", "archived"
_STORAGE = {"copy": COPIED, "reference": REFERENCED, "archive": ARCHIVED}


def raw_storage(source: SourceConfig) -> str:
    """``copied``, ``referenced`` or ``archived``: the source's ``raw_line_items`` option (cur_shared.RAW_LINE_ITEMS).
    Referenced and archived line items are both grouped in the scan that reads them and not copied; archived
    ones are read from the pipeline's own copy of the objects (sources/archive.py)."""
    return _STORAGE[source.options.get("raw_line_items", DEFAULT_RAW_LINE_ITEMS)]


UNNUMBERED = 0  # object_line of a row not yet numbered by its position: no line is 0 (the header is line 1)


def _object_select(view: str, storage: str, *, numbered: bool = True) -> str:
    """One object's part of the staging statement, reading ``view``: its typed line items (the staging
    model) when the source copies them, or straight their ledger-grain groups when it references or archives them.
    The model reads ``cur_file``; a CTE of that name points it at this object's view. Not ``numbered``: the
    rows' ``object_line`` is left UNNUMBERED (number_lines_by_position sets it after the insert), which
    drops the reader's row-number window from the statement."""
    scan = f"FROM {view}" if numbered else f"SELECT * REPLACE ({UNNUMBERED} AS object_line) FROM {view}"
    rows = f"WITH cur_file AS ({scan}) {model_sql('staging/aws_cur_line_items')}"
    if storage == COPIED:
        return rows
    groups = model_sql("staging/cur_line_item_groups")
    return f"WITH cur_line_items AS ({strip_comments(rows)}) SELECT * FROM ({strip_comments(groups)})"


def numbered_by_position(storage: str, keys: list[str]) -> bool:
    """Whether a staging statement leaves its rows' lines to number_lines_by_position: one CSV object (plain,
    gzip or in a ZIP) whose line items are copied. Why: the reader numbers a CSV's rows with a streaming
    ``row_number() OVER ()``, which keeps the whole statement (inflate, parse, cast, validate, store) on
    one thread; a gzip object is one stream, so a one-object month left the second core idle (40.8 s
    against 28.5 s without the window at 10M lines, benchmarks/row_numbering.py, docs/performance.md
    Profile 30). A statement over several objects runs them side by side anyway and keeps the window (there
    the unordered union is faster than an ordered one); Parquet rows carry ``file_row_number``, streamed;
    referenced line items are grouped inside the statement, which needs each row's line."""
    return storage == COPIED and len(keys) == 1 and not keys[0].lower().endswith(".parquet")


def number_lines_by_position(con: duckdb.DuckDBPyConnection, table: str, params: dict[str, object]) -> None:
    """Give the rows one ordered statement just wrote their line in the object: their position. The insert
    ran with ``preserve_insertion_order`` on, so DuckDB stored the rows in the object's order, under
    consecutive row ids (checked against the window's numbering on every line of generated 1M- and 10M-line
    months: benchmarks/row_numbering.py --verify); the object's month was emptied first, so its UNNUMBERED rows
    are exactly these. Line 1 is the header."""
    where = "source_id = $source_id AND period_month = $period_month AND object_key = $object_key"
    con.execute(
        f"""UPDATE {table} SET object_line = rowid - (SELECT min(rowid) FROM {table}
                                                        WHERE {where} AND object_line = {UNNUMBERED}) + 2
            WHERE {where} AND object_line = {UNNUMBERED}""",
        {name: params[name] for name in ("source_id", "period_month", "object_key")},
    )


def stage_objects(
    con: duckdb.DuckDBPyConnection,
    opened: list[tuple[str, duckdb.DuckDBPyRelation, Callable[[str], str]]],
    *,
    table: str,
    kind: str,
    storage: str,
    source_id: str,
    month: date,
    delivery_id: str,
    validate_alone: Callable[[str], None],
) -> int:
    """Validate the rows of several objects and keep them, all in ONE statement reading each object once
    (a month of an enterprise CUR is tens of millions of rows, and each extra pass re-inflates every gzip
    object): appended to ``table`` (raw.aws_cur_line_items or raw.aws_cur2_line_items: the same staging model
    fills both) when the source copies its line items, or streamed straight into their ledger-grain groups
    when it references or archives the delivered objects. Returns the rows written.

    Why one statement for several objects: each gzip object is one stream a single thread must inflate, so
    a statement per object kept one of the machine's cores idle; DuckDB runs the parts of a union side by
    side when the insert need not keep their order (``preserve_insertion_order`` is off for this statement
    only; the row order of a table is not its meaning, and each row keeps its own ``object_line``, numbered
    by its object's reader before anything runs in parallel; a statement over one CSV object keeps the
    order instead and numbers the rows by their position: numbered_by_position). An unusable cell aborts
    the statement (the staging model's guard), which cannot say whose cell it was: ``validate_alone`` then
    re-reads the objects one at a time through the companion model staging/aws_cur_line_items__invalid.sql
    (failure path only) and raises its SourceError naming object, row, column and value
    (sources/validation.py)."""
    params = {"source_id": source_id, "period_month": month, "assembly_id": delivery_id}
    params |= {"source_kind": kind, "raw_storage": storage}
    by_position = numbered_by_position(storage, [key for key, _, _ in opened])
    parts = []
    for index, (key, relation, _) in enumerate(opened):
        view = f"cur_file_{index}"
        relation.create_view(view, replace=True)
        parts.append((_object_select(view, storage, numbered=not by_position), {**params, "object_key": key}))
    target = table if storage == COPIED else GROUPS_TABLE
    ordered, limit = con.execute(
        "SELECT current_setting('preserve_insertion_order'), current_setting('memory_limit')"
    ).fetchall()[0]
    try:
        con.execute(f"SET preserve_insertion_order = {'true' if by_position else 'false'}")
        try:
            written = insert_union(con, target, parts)
            if by_position:
                number_lines_by_position(con, target, parts[0][1])
            return written
        except duckdb.OutOfMemoryException as exc:
            # not the objects' fault, and re-reading them one at a time would only take as long again
            raise SourceError(
                f"DuckDB ran out of its memory limit ({limit}) while staging {len(opened)} object(s) at once; "
                "nothing was written. Raise CARBON_DUCKDB_MEMORY_LIMIT (docs/performance.md, Memory) and run "
                f"again: {str(exc).strip().splitlines()[0]}",
                source_id=source_id,
                object_key=", ".join(key for key, _, _ in opened),
            ) from exc
        except duckdb.Error as exc:
            for key, _, _ in opened:
                validate_alone(key)  # raises the object's own SourceError: its first unusable cell, or its damage
            if len(opened) == 1 and not isinstance(exc, SCAN_ERRORS):
                raise
            reason = str(exc).strip().splitlines()[0]
            keys = ", ".join(key for key, _, _ in opened)
            raise SourceError(f"cannot be read: {reason}", source_id=source_id, object_key=keys) from exc
    finally:
        try:
            con.execute(f"SET preserve_insertion_order = {'true' if ordered else 'false'}")
            for index in range(len(opened)):
                con.execute(f"DROP VIEW IF EXISTS cur_file_{index}")
        except duckdb.TransactionException:
            pass  # the statement failed and aborted the transaction: the caller rolls back (views included)


def validate_object_alone(open_each: ObjectOpener, path: Path, key: str, *, source_id: str) -> None:
    """Re-read one object on a scratch in-memory connection through the staging model's companion
    (staging/aws_cur_line_items__invalid.sql; nothing kept) and raise its first unusable cell, or the damage
    found while scanning it: how the object is named after the statement over several objects failed (the
    warehouse's transaction is aborted by then)."""
    with (
        scratch_connection() as scratch,
        open_each(scratch, path, key) as (relation, display),
        scan_errors(source_id, key),
    ):
        relation.create_view("cur_file", replace=True)
        refuse_invalid_rows(scratch, INVALID_MODEL, source_id=source_id, display=display, object_key=key)


def objects_written(
    con: duckdb.DuckDBPyConnection, source_id: str, month: date, keys: tuple[str, ...]
) -> dict[str, int]:
    """Line items kept per object, checked against the rows its reader numbered, from the month's groups
    (a few hundred thousand rows at 10M line items, not the line items). Each row carries the line its
    object's reader gave it (first line 1 for Parquet, 2 below a CSV header) before anything could drop
    it, and the staging model never filters a row (a bad cell aborts the statement), so an object whose
    groups count fewer line items than its numbered span lost some: the check the second full scan that
    counted each object's rows used to make, without re-inflating the object."""
    found = {
        key: (int(count), first, last)
        for key, count, first, last in con.execute(
            f"""SELECT object_key, SUM(line_item_count), MIN(first_line), MAX(last_line) FROM {GROUPS_TABLE}
                WHERE source_id = ? AND period_month = ? GROUP BY object_key""",
            [source_id, month],
        ).fetchall()
    }
    written: dict[str, int] = {}
    for key in keys:
        count, first, last = found.get(key, (0, None, None))
        expected = 0 if last is None else last - (1 if key.lower().endswith(".parquet") else 2) + 1
        if count != expected or (first is not None and first > last):
            raise SourceError(f"read {expected} rows but wrote {count}", source_id=source_id, object_key=key)
        written[key] = count
    return written


def kept_as(con: duckdb.DuckDBPyConnection, source_id: str, month: date) -> str | None:
    """How the month's line items were kept when it was last read (``copied`` / ``referenced``)."""
    rows = con.execute(
        "SELECT DISTINCT raw_storage FROM raw.delivery_objects WHERE source_id = ? AND period_month = ?",
        [source_id, month],
    ).fetchall()
    return rows[0][0] if len(rows) == 1 else None


def group_copied_rows(con: duckdb.DuckDBPyConnection, table: str, kind: str, source_id: str, month: date) -> int:
    """The ledger-grain groups of a month whose line items were copied, from the copies (one scan of the
    warehouse table, a fraction of the copy's cost): the ledger reads groups whichever way rows were kept."""
    rows = con.table(table).filter(
        (duckdb.ColumnExpression("source_id") == duckdb.ConstantExpression(source_id))
        & (duckdb.ColumnExpression("period_month") == duckdb.ConstantExpression(month))
    )
    rows.create_view("cur_line_items", replace=True)
    try:
        return insert_model(con, GROUPS_TABLE, "staging/cur_line_item_groups", source_kind=kind, raw_storage=COPIED)
    finally:
        con.execute("DROP VIEW IF EXISTS cur_line_items")


def record_objects(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    *,
    kind: str,
    month: date,
    delivery_id: str,
    versions: dict[str, str],
    line_items: dict[str, int],
    storage: str,
    archived: Mapping[str, ArchivedObject],
) -> None:
    """raw.delivery_objects: which object (at which version) each line item was read from, and where the
    pipeline's own copy of it is when the source archives its objects."""
    base = source.uri.rstrip("/")
    con.executemany(
        """INSERT INTO raw.delivery_objects (source_kind, source_id, period_month, delivery_id, object_key,
               object_uri, object_version, raw_storage, line_items, archived_as, archived_sha256)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            [
                kind,
                source.id,
                month,
                delivery_id,
                key,
                f"{base}/{key}",
                versions.get(key),
                storage,
                line_items[key],
                archived[key].relative if key in archived else None,
                archived[key].sha256 if key in archived else None,
            ]
            for key in line_items
        ],
    )


UNION_OBJECTS = 16  # at most, objects staged by one statement: bounds the readers (and CSV sniffs) open at once
# What one object of a staging statement may hold of DuckDB's memory at once. DuckDB sets up every object's
# reader (a gzip CSV reader keeps about 64 MB of buffers) when the statement starts: a 100M-line month in
# 2M-line objects ran out of the default 1 GB with 16 objects in one statement, and fitted with 8
# (benchmarks, docs/performance.md Profile 18). Twice the measured need, so that the limit is never the edge.
OBJECT_MEMORY = 128 * 2**20


def objects_per_statement(memory_limit: int | None) -> int:
    """How many objects one staging statement reads side by side under DuckDB's ``memory_limit`` (bytes):
    one per OBJECT_MEMORY of it, at least one, at most UNION_OBJECTS."""
    if memory_limit is None:
        return UNION_OBJECTS
    return max(1, min(UNION_OBJECTS, memory_limit // OBJECT_MEMORY))


def object_batches(keys: tuple[str, ...], size: int = UNION_OBJECTS) -> list[tuple[str, ...]]:
    """The delivery's objects in the groups one statement stages: up to ``size`` at a time, in manifest
    order, except that a ZIP object goes alone (its CSV member is extracted to disk while it is read, so a
    batch of them would hold that many extracted copies at once), and so does a Parquet object: DuckDB reads
    one Parquet file's row groups on every thread already, and each reader holds a decompressed row group
    per column (seven 2M-line objects of a 100M-line month, 52 MiB blocks, ran out of the default 1 GB)."""
    batches: list[tuple[str, ...]] = []
    current: list[str] = []
    for key in keys:
        if key.lower().endswith((".zip", ".parquet")):
            batches += [tuple(current)] if current else []
            batches.append((key,))
            current = []
            continue
        current.append(key)
        if len(current) == size:
            batches.append(tuple(current))
            current = []
    return batches + ([tuple(current)] if current else [])


@dataclass(frozen=True)
class DeliveryToLoad:
    """What loading needs of a manifest, whichever CUR generation wrote it."""

    delivery_id: str  # assemblyId (legacy CUR) or executionId (CUR 2.0)
    manifest_key: str
    object_keys: tuple[str, ...]
    superseded: tuple[tuple[str, str], ...]


Opened = tuple[duckdb.DuckDBPyRelation, Callable[[str], str]]  # an object's relation and how to show its columns
ObjectOpener = Callable[[duckdb.DuckDBPyConnection, Path, str], AbstractContextManager[Opened]]


def refuse_vanished_delivery(con: duckdb.DuckDBPyConnection, source_id: str, month: date) -> None:
    """A month that was loaded and now has no manifest is never emptied: a manifest deleted by mistake (or by
    a lifecycle rule) once replaced a month with nothing, with rc 0 and no restatement. Raises, so the caller's
    transaction keeps the previous delivery; only a delivery that exists replaces a month."""
    keys = [
        row[0]
        for row in con.execute(
            """SELECT DISTINCT manifest_key FROM raw.deliveries
               WHERE source_id = ? AND period_month = ? AND status = 'loaded' ORDER BY 1""",
            [source_id, month],
        ).fetchall()
    ]
    raise SourceError(
        f"the manifest of the delivery loaded for {month:%Y-%m} is missing now; the month keeps its previous data "
        "until a delivery exists again (restore the manifest, or see docs/operations.md to retire the month)",
        source_id=source_id,
        object_key=", ".join(str(k) for k in keys) or None,
    )


def load_delivery(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    month: date,
    delivery: DeliveryToLoad | None,
    *,
    kind: str,
    table: str,
    open_each: ObjectOpener,
    run_id: str | None,
    force: bool,
) -> LoadSummary:
    """Replace ``month`` of ``source`` in ``table`` with the delivery's objects, inside the caller's
    transaction: shared by legacy CUR and CUR 2.0, which differ only in layout and column shapes."""
    previous = previous_identity(con, source.id, month)
    versions = {} if delivery is None else {key: landing.version(key) for key in delivery.object_keys}
    version = None if delivery is None else versions_digest(versions)
    loaded = (
        None if force or delivery is None else unchanged_delivery(con, source.id, month, delivery.delivery_id, version)
    )
    if loaded is not None and kept_as(con, source.id, month) not in (None, raw_storage(source)):
        loaded = None  # raw_line_items changed since the month was read: read it again the new way
    if loaded is not None:
        # The same delivery, the same objects: re-reading would write the same rows (a daily re-sync of
        # a closed month is the common case, and a month can be tens of millions of rows).
        return LoadSummary(source.id, month, rows=loaded[1], delivery=delivery.delivery_id, skipped=True)
    if delivery is None and previous is not None:
        refuse_vanished_delivery(con, source.id, month)
    forget_month(con, table, source.id, month)
    if delivery is None:
        return LoadSummary(source.id, month, rows=0)
    storage = raw_storage(source)
    archived: dict[str, ArchivedObject] = {}
    if storage == ARCHIVED:  # every object first, side by side; the statements then read only these copies
        delivered = {key: landing.local_path(key) for key in delivery.object_keys}
        archived = archive_objects(delivered, archive_root(con), source_id=source.id)

    def read_from(key: str) -> Path:
        """The object as the statement reads it: the landing's copy, or the archive's (the bytes kept)."""
        return archived[key].path if key in archived else landing.local_path(key)

    staged_bytes = 0
    for batch in object_batches(delivery.object_keys, objects_per_statement(memory_limit_bytes(con))):
        with ExitStack() as stack:
            opened = []
            for key in batch:
                path = read_from(key)
                staged_bytes += path.stat().st_size
                relation, display = stack.enter_context(open_each(con, path, key))
                opened.append((key, relation, display))
            suite_process.make_room_for(staged_bytes)  # a large month: no helper beside it (Profile 39)
            stage_objects(
                con,
                opened,
                table=table,
                kind=kind,
                storage=storage,
                source_id=source.id,
                month=month,
                delivery_id=delivery.delivery_id,
                validate_alone=lambda key: validate_object_alone(open_each, read_from(key), key, source_id=source.id),
            )
    if storage == COPIED:
        group_copied_rows(con, table, kind, source.id, month)
    line_items = objects_written(con, source.id, month, delivery.object_keys)
    rows = sum(line_items.values())
    record_objects(
        con,
        source,
        kind=kind,
        month=month,
        delivery_id=delivery.delivery_id,
        versions=versions,
        line_items=line_items,
        storage=storage,
        archived=archived,
    )
    record_delivery(
        con,
        source_id=source.id,
        source_kind=kind,
        month=month,
        delivery_id=delivery.delivery_id,
        manifest_key=delivery.manifest_key,
        object_count=len(delivery.object_keys),
        row_count=rows,
        status="loaded",
        objects_version=version,
    )
    for superseded_id, manifest_key in delivery.superseded:
        record_delivery(
            con,
            source_id=source.id,
            source_kind=kind,
            month=month,
            delivery_id=superseded_id,
            manifest_key=manifest_key,
            object_count=None,
            row_count=None,
            status="superseded",
        )
    restated = record_restatement_if_changed(
        con, source_id=source.id, month=month, previous=previous, change_kind="redelivery", run_id=run_id
    )
    return LoadSummary(
        source.id,
        month,
        rows=rows,
        delivery=delivery.delivery_id,
        objects=len(delivery.object_keys),
        superseded=len(delivery.superseded),
        raw_line_items=storage,
        restated=restated,
    )


def load_month(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    month: date,
    *,
    run_id: str | None = None,
    force: bool = False,
) -> LoadSummary:
    """Replace ``month`` of ``source`` in raw.aws_cur_line_items; run inside the caller's transaction."""
    found = discover_delivery(landing, source, month)
    delivery = (
        None
        if found is None
        else DeliveryToLoad(found.assembly_id, found.manifest_key, found.object_keys, found.superseded)
    )
    return load_delivery(
        con,
        landing,
        source,
        month,
        delivery,
        kind=KIND,
        table=TABLE,
        run_id=run_id,
        force=force,
        open_each=lambda on, path, key: open_object(on, path, source_id=source.id, object_key=key),
    )


def delivery_identity(landing: Landing, source: SourceConfig, month: date) -> str | None:
    """What a sensor compares to notice a new delivery: the manifest's assemblyId."""
    delivery = discover_delivery(landing, source, month)
    return None if delivery is None else delivery.assembly_id


def available_months(landing: Landing, source: SourceConfig) -> list[date]:
    """Period folders (CSV layouts) and ``year=/month=`` partitions (Parquet layout)."""
    months = set()
    for folder in landing.list_dirs(""):
        month = cur_period_month(folder, source_id=source.id)  # a malformed one is an error naming it
        if month is not None:
            months.add(month)
    name = report_name(source)
    for year in landing.list_dirs(name):
        for month in landing.list_dirs(f"{name}/{year}"):
            if year.startswith("year=") and month.startswith("month="):
                y, m = year.split("=", 1)[1], month.split("=", 1)[1]
                if y.isdigit() and m.isdigit() and 1 <= int(m) <= 12:
                    months.add(date(int(y), int(m), 1))
    return sorted(months)

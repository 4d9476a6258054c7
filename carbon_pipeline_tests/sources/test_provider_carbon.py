"""The providers' own carbon figures: Google Cloud Carbon Footprint files, Azure Carbon Optimization
exports and the AWS Sustainability API. Kilograms become metric tons, every emission type lands, bad
cells are named by row and column, and a GCP source reaches the inventory as reported Scope 3 cat 1.
Expected figures are computed here independently from the values written or served."""

from __future__ import annotations

import csv
import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.errors import SourceError
from carbon_pipeline.runner import failure_messages, run_inventory
from carbon_pipeline.sources.aws_sustainability_api import reader as aws_sustainability_api
from carbon_pipeline.sources.azure_carbon import reader as azure_carbon
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.gcp_carbon import reader as gcp_carbon
from carbon_pipeline.sources.landing import LocalLanding
from carbon_pipeline.warehouse.connection import open_warehouse, transaction
from carbon_pipeline_tests.conftest import settings_under

KG = "carbon_footprint_kgCO2e"
# (usage_month, project, service, region, model, scope1, scope2 location, scope2 market, scope3), kgCO2e
GCP_ROWS = [
    ("2025-01-01", "acme-prod", "Compute Engine", "europe-west1", 12, 1.25, 310.5, 12.75, 40.125),
    ("2025-01-01", "acme-prod", "Cloud Storage", "europe-west1", 12, 0.0, 21.0, 0.5, 6.25),
    ("2025-01-01", "acme-data", "BigQuery", "us-central1", 12, 0.75, 122.375, 3.0, 18.5),
    ("2025-02-01", "acme-prod", "Compute Engine", "europe-west1", 12, 1.5, 298.25, 11.0, 39.0),
]


def gcp_nested(row: tuple) -> dict:
    month, project, service, region, model, s1, s2l, s2m, s3 = row
    return {
        "billing_account_id": "01A2B3-C4D5E6-F7A8B9",
        "project": {"id": project, "number": "123456789012"},
        "service": {"id": "6F81-5844-456A", "description": service},
        "location": {"location": region, "region": region},
        "usage_month": month,
        "carbon_model_version": model,
        KG: {"scope1": s1, "scope2": {"location_based": s2l, "market_based": s2m}, "scope3": s3},
        "carbon_footprint_total_kgCO2e": {"location_based": s1 + s2l + s3, "market_based": s1 + s2m + s3},
    }


def gcp_flat(row: tuple) -> dict:
    """The export as a CSV copy: nested fields as dotted columns."""

    def walk(value: dict, prefix: str = "") -> dict:
        out = {}
        for k, v in value.items():
            out.update(walk(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
        return out

    return walk(gcp_nested(row))


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def gcp_folder(tmp_path: Path) -> Path:
    """Row 0 as CSV (dotted), rows 1-2 as nested JSONL, row 3 as Parquet with STRUCT columns."""
    folder = tmp_path / "gcp"
    folder.mkdir(parents=True)
    write_csv(folder / "carbon-2025-01a.csv", [gcp_flat(GCP_ROWS[0])])
    (folder / "carbon-2025-01b.jsonl").write_text("".join(json.dumps(gcp_nested(r)) + "\n" for r in GCP_ROWS[1:3]))
    scratch = duckdb.connect()
    jsonl = tmp_path / "parquet-source.jsonl"
    jsonl.write_text(json.dumps(gcp_nested(GCP_ROWS[3])) + "\n")
    scratch.execute(
        f"COPY (SELECT * REPLACE (CAST(usage_month AS DATE) AS usage_month) FROM read_json('{jsonl}')) "
        f"TO '{folder / 'carbon-2025-02.parquet'}' (FORMAT parquet)"
    )
    scratch.close()
    return folder


def expected_t(rows: list[tuple], month: str) -> dict[str, float]:
    """Location and market totals in metric tons, from the kg values: scope 1 and 3 count under both."""
    rows = [r for r in rows if r[0] == month]
    return {
        "location": sum(r[5] + r[6] + r[8] for r in rows) / 1000,
        "market": sum(r[5] + r[7] + r[8] for r in rows) / 1000,
    }


@pytest.fixture
def con(tmp_path):
    connection = open_warehouse(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def raw_totals(con, source_id: str, month: date) -> dict[str, float]:
    lbm, mbm = con.execute(
        """SELECT SUM(COALESCE(scope_1_lbm_tco2e, 0) + COALESCE(scope_2_lbm_tco2e, 0) + COALESCE(scope_3_lbm_tco2e, 0)),
                  SUM(COALESCE(scope_1_mbm_tco2e, 0) + COALESCE(scope_2_mbm_tco2e, 0) + COALESCE(scope_3_mbm_tco2e, 0))
           FROM raw.provider_carbon_emissions WHERE source_id = ? AND period_month = ?""",
        [source_id, month],
    ).fetchall()[0]
    return {"location": lbm, "market": mbm}


def test_gcp_files_in_csv_jsonl_and_parquet_load_in_metric_tons_by_usage_month(con, tmp_path):
    folder = gcp_folder(tmp_path)
    source = SourceConfig(id="gcp", kind="gcp_carbon", uri=str(folder))
    landing = LocalLanding(source.id, folder)

    assert gcp_carbon.available_months(landing, source) == [date(2025, 1, 1), date(2025, 2, 1)]
    with transaction(con):
        january = gcp_carbon.load_month(con, landing, source, date(2025, 1, 1))
        february = gcp_carbon.load_month(con, landing, source, date(2025, 2, 1))

    assert (january.rows, february.rows) == (3, 1)
    for month in ("2025-01-01", "2025-02-01"):
        got = raw_totals(con, "gcp", date.fromisoformat(month))
        assert got == pytest.approx(expected_t(GCP_ROWS, month), rel=1e-12)
    rows = con.execute(
        """SELECT account_id, service, region, model_version, object_key, object_line, total_lbm_tco2e
           FROM raw.gcp_carbon_emissions ORDER BY period_month, object_key, object_line"""
    ).fetchall()
    assert rows[0] == ("acme-prod", "Compute Engine", "europe-west1", "12", "carbon-2025-01a.csv", 2, 0.351875)
    assert [r[4:6] for r in rows[1:]] == [
        ("carbon-2025-01b.jsonl", 1),
        ("carbon-2025-01b.jsonl", 2),
        ("carbon-2025-02.parquet", 1),
    ]
    deliveries = con.execute("SELECT COUNT(*), SUM(row_count) FROM raw.deliveries WHERE source_id = 'gcp'").fetchall()
    assert deliveries == [(3, 4)]  # one per file with rows in the month


def test_a_bad_gcp_number_names_row_and_column_and_writes_nothing(con, tmp_path):
    folder = tmp_path / "gcp-bad"
    folder.mkdir()
    rows = [gcp_flat(r) for r in GCP_ROWS[:3]]
    rows[1][f"{KG}.scope2.location_based"] = "21,0"
    write_csv(folder / "export.csv", rows)
    source = SourceConfig(id="gcp-bad", kind="gcp_carbon", uri=str(folder))

    where = rf"source 'gcp-bad', object 'export.csv', row 3, column '{KG}.scope2.location_based'"
    with pytest.raises(SourceError, match=where), transaction(con):
        gcp_carbon.load_month(con, LocalLanding(source.id, folder), source, date(2025, 1, 1))
    assert con.execute("SELECT COUNT(*) FROM raw.provider_carbon_emissions").fetchall() == [(0,)]
    assert con.execute("SELECT COUNT(*) FROM raw.deliveries").fetchall() == [(0,)]


def test_a_gcp_file_without_a_required_column_names_it_as_the_export_does(con, tmp_path):
    folder = tmp_path / "gcp-short"
    folder.mkdir()
    write_csv(folder / "export.csv", [{k: v for k, v in gcp_flat(GCP_ROWS[0]).items() if k != f"{KG}.scope3"}])
    source = SourceConfig(id="gcp-short", kind="gcp_carbon", uri=str(folder))
    with pytest.raises(SourceError, match=rf"row 1, column '{KG}.scope3': required column missing"):
        gcp_carbon.load_month(con, LocalLanding(source.id, folder), source, date(2025, 1, 1))


AZURE_ROWS = [  # ItemDetails, categoryType Resource; latestMonthEmissions in kgCO2e
    {
        "date": "2025-03-01",
        "itemName": "vm-web-01",
        "categoryType": "Resource",
        "subscriptionId": "0f1e2d3c-aaaa",
        "resourceGroup": "rg-web",
        "location": "westeurope",
        "resourceType": "microsoft.compute/virtualmachines",
        "latestMonthEmissions": "152.375",
        "previousMonthEmissions": "140.0",
    },
    {
        "date": "2025-03-01",
        "itemName": "sqldb-01",
        "categoryType": "Resource",
        "subscriptionId": "0f1e2d3c-aaaa",
        "resourceGroup": "rg-data",
        "location": "northeurope",
        "resourceType": "microsoft.sql/servers/databases",
        "latestMonthEmissions": "48.5",
        "previousMonthEmissions": "47.25",
    },
    {
        "date": "2025-03-01",
        "itemName": "stacme",
        "categoryType": "Resource",
        "subscriptionId": "9a8b7c6d-bbbb",
        "resourceGroup": "rg-data",
        "location": "westeurope",
        "resourceType": "microsoft.storage/storageaccounts",
        "latestMonthEmissions": "3.125",
        "previousMonthEmissions": "3.0",
    },
]


def test_azure_item_details_load_location_based_in_metric_tons_with_no_market(con, tmp_path):
    folder = tmp_path / "azure"
    folder.mkdir()
    write_csv(folder / "item-details.csv", AZURE_ROWS[:2])
    (folder / "item-details.json").write_text(json.dumps({"value": AZURE_ROWS[2:]}))
    source = SourceConfig(id="azure", kind="azure_carbon", uri=str(folder))

    with transaction(con):
        summary = azure_carbon.load_month(con, LocalLanding(source.id, folder), source, date(2025, 3, 1))

    assert summary.rows == 3
    got = con.execute(
        """SELECT SUM(total_lbm_tco2e), COUNT(total_mbm_tco2e), COUNT(DISTINCT account_id),
                  string_agg(DISTINCT region, ',' ORDER BY region)
           FROM raw.azure_carbon_emissions"""
    ).fetchall()[0]
    assert got[0] == pytest.approx(sum(float(r["latestMonthEmissions"]) for r in AZURE_ROWS) / 1000, rel=1e-12)
    assert got[1:] == (0, 2, "northeurope,westeurope")


def test_azure_mixed_aggregation_levels_and_bad_units_are_refused(con, tmp_path):
    folder = tmp_path / "azure-mixed"
    folder.mkdir()
    subscription = {
        "date": "2025-03-01",
        "itemName": "0f1e2d3c-aaaa",
        "categoryType": "Subscription",
        "latestMonthEmissions": "200.875",
    }
    write_csv(folder / "a.csv", AZURE_ROWS[:1])
    write_csv(folder / "b.csv", [subscription])
    source = SourceConfig(id="azure-mixed", kind="azure_carbon", uri=str(folder))
    with pytest.raises(SourceError, match=r"column 'category_type': rows of 2025-03 mix aggregation levels"):
        azure_carbon.load_month(con, LocalLanding(source.id, folder), source, date(2025, 3, 1))

    (folder / "b.csv").unlink()
    write_csv(folder / "a.csv", [{**AZURE_ROWS[0], "unit": "kgCO2e"}, {**AZURE_ROWS[1], "unit": "tCO2e"}])
    with pytest.raises(SourceError, match=r"object 'a.csv', row 3, column 'unit': value 'tCO2e'"):
        azure_carbon.load_month(con, LocalLanding(source.id, folder), source, date(2025, 3, 1))


# --- AWS Sustainability API against a real local HTTP endpoint speaking its rest-json protocol ----------

TYPES = aws_sustainability_api.EMISSIONS_TYPES


def api_item(account: str, region: str, service: str, base: float) -> dict:
    values = {t: {"Value": base * (i + 1) / 7, "Unit": "MTCO2e"} for i, t in enumerate(TYPES)}
    return {
        "TimePeriod": {"Start": "2025-04-01T00:00:00Z", "End": "2025-05-01T00:00:00Z"},
        "DimensionsValues": {"USAGE_ACCOUNT_ID": account, "REGION": region, "SERVICE": service},
        "ModelVersion": "v3.0.0",
        "EmissionsValues": values,
    }


PAGES = [
    [
        api_item("012345678901", "eu-west-1", "AmazonEC2", 0.8125),
        api_item("012345678901", "us-east-1", "AmazonS3", 0.0625),
    ],
    [api_item("210987654321", "", "AmazonCloudFront", 0.015625)],
]


class SustainabilityApi(BaseHTTPRequestHandler):
    requests: list[tuple[str, dict]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        type(self).requests.append((self.path, body))
        page = 1 if body.get("NextToken") == "page-2-token" else 0
        payload = {"Results": PAGES[page], **({"NextToken": "page-2-token"} if page == 0 else {})}
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def api_endpoint(monkeypatch):
    monkeypatch.setenv("TEST_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("TEST_SECRET", "not-a-real-secret")
    SustainabilityApi.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), SustainabilityApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_sustainability_api_follows_pages_and_lands_every_emission_type(con, api_endpoint):
    source = SourceConfig(
        id="aws-api",
        kind="aws_sustainability_api",
        uri="sustainability://us-east-1",
        options={
            "endpoint_url": api_endpoint,
            "credentials": {"env": {"access_key_id": "TEST_KEY_ID", "secret_access_key": "TEST_SECRET"}},
        },
    )
    with transaction(con):
        summary = aws_sustainability_api.load_month(con, source, date(2025, 4, 1))

    paths = [path for path, _ in SustainabilityApi.requests]
    assert paths == ["/v1/estimated-carbon-emissions"] * 2
    first, second = (body for _, body in SustainabilityApi.requests)
    assert first["Granularity"] == "MONTHLY" and "NextToken" not in first
    assert sorted(first["GroupBy"]) == ["REGION", "SERVICE", "USAGE_ACCOUNT_ID"]
    assert sorted(first["EmissionsTypes"]) == sorted(TYPES)
    assert second["NextToken"] == "page-2-token"
    assert summary.rows == 3 and summary.model_versions == ("v3.0.0",)

    items = [item for page in PAGES for item in page]
    columns = {
        "TOTAL_LBM_CARBON_EMISSIONS": "total_lbm_tco2e",
        "TOTAL_MBM_CARBON_EMISSIONS": "total_mbm_tco2e",
        "TOTAL_SCOPE_1_CARBON_EMISSIONS": "scope_1_lbm_tco2e",
        "TOTAL_SCOPE_2_LBM_CARBON_EMISSIONS": "scope_2_lbm_tco2e",
        "TOTAL_SCOPE_2_MBM_CARBON_EMISSIONS": "scope_2_mbm_tco2e",
        "TOTAL_SCOPE_3_LBM_CARBON_EMISSIONS": "scope_3_lbm_tco2e",
        "TOTAL_SCOPE_3_MBM_CARBON_EMISSIONS": "scope_3_mbm_tco2e",
    }
    for emission_type, column in columns.items():
        stored = con.execute(f"SELECT SUM({column}) FROM raw.aws_sustainability_emissions").fetchall()[0][0]
        assert stored == pytest.approx(sum(i["EmissionsValues"][emission_type]["Value"] for i in items), rel=1e-12)
    regions = con.execute(
        "SELECT account_id, region FROM raw.provider_carbon_emissions ORDER BY object_line"
    ).fetchall()
    assert regions == [("012345678901", "eu-west-1"), ("012345678901", "us-east-1"), ("210987654321", "global")]
    assert con.execute("SELECT row_count FROM raw.deliveries WHERE source_id = 'aws-api'").fetchall() == [(3,)]


def test_an_api_value_in_the_wrong_unit_names_item_and_field(con, api_endpoint, monkeypatch):
    bad = api_item("012345678901", "eu-west-1", "AmazonEC2", 1.0)
    bad["EmissionsValues"]["TOTAL_SCOPE_1_CARBON_EMISSIONS"]["Unit"] = "KGCO2e"
    monkeypatch.setattr(aws_sustainability_api, "fetch", lambda source, start, end: [api_item("1", "r", "s", 1.0), bad])
    source = SourceConfig(id="aws-api", kind="aws_sustainability_api", uri="sustainability://")
    with pytest.raises(SourceError, match=r"row 2, column 'EmissionsValues.TOTAL_SCOPE_1_CARBON_EMISSIONS.Unit'"):
        aws_sustainability_api.load_month(con, source, date(2025, 4, 1))


# --- end to end ------------------------------------------------------------------------------------------


def test_inventory_reports_gcp_totals_as_reported_scope3_category1(tmp_path):
    gcp_folder(tmp_path / "landing")
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text("sources:\n  - {id: gcp-footprint, kind: gcp_carbon, uri: landing/gcp}\n")
    settings = settings_under(tmp_path, sources_file)

    result = run_inventory(settings, date(2025, 1, 1), date(2025, 2, 1))

    assert failure_messages(result) == []
    assert result.success
    wh = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        summary = wh.execute(
            """SELECT strftime(period_month, '%Y-%m-%d'), scope, scope3_category, method, basis, tco2e
               FROM marts.scope_summary ORDER BY 1, 4"""
        ).fetchall()
        providers = wh.execute("SELECT DISTINCT provider, is_selected FROM ledger.provider_emissions").fetchall()
    finally:
        wh.close()
    expected = [
        (month, 3, 1, method, "reported", pytest.approx(value, rel=1e-12))
        for month in ("2025-01-01", "2025-02-01")
        for method, value in sorted(expected_t(GCP_ROWS, month).items())
    ]
    assert summary == expected
    assert providers == [("gcp", True)]

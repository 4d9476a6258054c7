"""The per-year inventory report: written for every year, self-contained, marked as a draft, and its
figures equal to the published inventory (parsed back from the CSV tables it writes)."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from carbon_pipeline.defs.reports.assets import inventory_report
from carbon_pipeline.orchestration.keys import INVENTORY_REPORT_KEY
from carbon_pipeline.orchestration.resources import ReportsResource, ServingResource, SourcesResource
from carbon_pipeline.reporting.html_report import CSV_TABLES, DRAFT_STATEMENT, write_reports
from carbon_pipeline.sources.config import InventorySettings

YEARS = (2024, 2025)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
NETWORK_REFERENCE = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def reports(built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    write_reports(built.settings.serving, out)
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def html_of(reports: Path, year: int) -> str:
    return (reports / f"inventory_{year}.html").read_text(encoding="utf-8")


def number(text: str) -> float | None:
    return float(text) if text else None


def test_a_report_and_its_csv_tables_are_written_for_every_reporting_year(reports):
    assert sorted(p.name for p in reports.glob("*.html")) == [f"inventory_{y}.html" for y in YEARS]
    for year in YEARS:
        assert sorted(p.name for p in (reports / str(year)).iterdir()) == sorted(f"{n}.csv" for n in CSV_TABLES)
        assert not list(reports.rglob(".*.tmp")), "no staging file is left behind"


@pytest.mark.parametrize("year", YEARS)
def test_each_report_is_self_contained_and_references_nothing_on_the_network(reports, year):
    page = html_of(reports, year)
    assert not NETWORK_REFERENCE.search(page), NETWORK_REFERENCE.search(page)
    assert not re.search(r"<script[^>]*\bsrc", page, re.IGNORECASE)
    assert "<link" not in page.lower() and "@import" not in page
    assert not re.search(r"""url\(\s*["']?(?!#)""", page), "CSS/SVG url() only to ids in the page"
    assert page.count("<svg") >= 3, "the charts are inline SVG"
    # the only links besides in-page anchors are the CSV tables written beside the page
    for target in re.findall(r'href="([^"#][^"]*)"', page):
        assert (reports / target).is_file(), target


@pytest.mark.parametrize("year", YEARS)
def test_each_report_says_it_is_a_draft_the_organisation_must_verify_before_submission(reports, year):
    page = html_of(reports, year)
    assert "draft prepared by carbon_pipeline; the organisation must verify before any submission" in page.lower()
    assert escape(DRAFT_STATEMENT) in page


@pytest.mark.parametrize("year", YEARS)
def test_the_totals_equal_the_published_scope_summary_per_scope_and_method(built, reports, year):
    rows = read_csv(reports / str(year) / "totals.csv")
    published = built.query(
        """SELECT scope, scope3_category, method, SUM(tco2e) FROM marts.scope_summary
           WHERE year(period_month) = ? GROUP BY GROUPING SETS ((scope, method), (scope, scope3_category, method),
           (method))""",
        [year],
        serving=True,
    )
    expected = {(scope, category, method): value for scope, category, method, value in published}
    seen = 0
    for row in rows:
        scope = int(row["scope"]) if row["scope"] else None
        category = int(row["scope3_category"]) if row["scope3_category"] else None
        for method in ("location", "market"):
            value = number(row[f"{method}_tco2e"])
            want = expected.get((scope, category, method))
            if want is None:
                assert value is None, row
                continue
            assert value == pytest.approx(want, rel=1e-9), (row["label"], method)
            seen += 1
    labels = [row["label"] for row in rows]
    assert labels[:3] == ["Scope 1", "Scope 2", "Scope 3"] and labels[-1] == "Total"
    assert seen == 2 * len(rows)


@pytest.mark.parametrize("year", YEARS)
def test_the_html_totals_table_shows_the_same_totals_rounded(reports, year):
    page = html_of(reports, year)
    table = page[page.index('id="totals-table"') : page.index("</table>", page.index('id="totals-table"'))]
    for row in read_csv(reports / str(year) / "totals.csv"):
        assert escape(row["label"]) in table
        for method in ("location", "market"):
            assert f"{float(row[f'{method}_tco2e']):,.3f}" in table


@pytest.mark.parametrize("year", YEARS)
def test_the_cloud_breakdown_adds_up_to_the_inventorys_cloud_figures(built, reports, year):
    cloud = read_csv(reports / str(year) / "cloud_breakdown.csv")
    for method in ("location", "market"):
        (published,) = built.query(
            """SELECT SUM(tco2e) FROM marts.scope_summary WHERE year(period_month) = ? AND method = ?
               AND basis IN ('reported', 'estimated_usage')""",
            [year, method],
            serving=True,
        )[0]
        total = sum(float(r["tco2e"]) for r in cloud if r["method"] == method)
        assert total == pytest.approx(published, rel=1e-9)
    assert {r["provider"] for r in cloud} == {"aws"}
    assert {r["account_id"] for r in cloud} >= {"012345678901"}, "account ids keep their leading zeros"


def test_the_methodology_states_the_cloud_scope_policy_and_the_model_version_chosen_per_month(reports):
    page = html_of(reports, 2025)
    assert "cloud_scope_policy: scope3_category1" in page
    assert "Scope 3 category 1" in page
    assert "newest</code> (default)" in page
    for month in ("2025-01", "2025-02", "2025-03"):
        assert f"{month} (demo-carbon): v2.0.0 selected over v1" in page
    versions = read_csv(reports / "2025" / "model_versions.csv")
    chosen = {(r["period_month"], r["model_version"]): r["is_selected"] for r in versions}
    assert chosen[("2025-01-01", "v2.0.0")] == "True" and chosen[("2025-01-01", "v1")] == "False"
    assert "demo-carbon: v1 counted for 2024-01 – 2024-12" in html_of(reports, 2024)


@pytest.mark.parametrize("year", YEARS)
def test_the_methodology_names_exactly_the_publishers_of_the_factors_used(built, reports, year):
    """Built from the factor rows applied, not a fixed text: every publisher behind the year's counted figures is
    named, and no catalogue publisher that was not used."""
    (methodology,) = re.findall(r'<section id="methodology">.*?</section>', html_of(reports, year), re.DOTALL)
    used = {row["publisher"] for row in read_csv(reports / str(year) / "factor_sources.csv")}
    catalogue = {p for (p,) in built.query("SELECT DISTINCT publisher FROM factors.emission_factors")}
    assert used and used - {"supplier-specific"} <= catalogue
    named = {p for p in catalogue | used if escape(p) in methodology}
    assert named == used
    assert catalogue - used, "the demo catalogue has publishers this year does not use, so the test can fail"


def test_a_non_default_policy_is_reported_as_such_and_a_mismatch_with_the_data_is_flagged(built, tmp_path):
    settings = InventorySettings(cloud_scope_policy="scope2_framing", carbon_model_version="v1")
    write_reports(built.settings.serving, tmp_path, settings)
    page = html_of(tmp_path, 2025)
    assert "cloud_scope_policy: scope2_framing" in page and "Non-default policy" in page
    assert "pinned to <code>v1</code>" in page
    assert "re-run the pipeline with the same settings" in page, "the demo was built with scope3_category1"


@pytest.mark.parametrize("year", YEARS)
def test_factor_sources_list_egrid_eea_and_ember_with_their_editions_and_label_lifecycle_factors(reports, year):
    """EU countries take EEA's direct factors (the demo's Ireland and Sweden); Ember's lifecycle factors serve
    countries EEA does not cover (the demo's Australia, ap-southeast-2) and are listed, labelled, in the years
    whose counted figures use them (2024 in the demo)."""
    sources = read_csv(reports / str(year) / "factor_sources.csv")
    page = html_of(reports, year)
    editions = {r["edition"] for r in sources}
    assert any("eGRID" in e for e in editions) and any("EEA" in e for e in editions), editions
    for row in sources:
        for column in ("publisher", "edition", "licence"):
            assert escape(row[column]) in page
    assert next(r for r in sources if r["publisher"] == "EEA")["boundary"] == "direct"
    ember = [r for r in sources if r["publisher"] == "Ember"]
    assert len(ember) == (1 if year == 2024 else 0)
    assert all(r["boundary"] == "lifecycle" for r in ember)
    assert ("Lifecycle factors: Ember" in page) == bool(ember)


def test_the_data_quality_section_gives_the_share_of_estimated_data(built, reports):
    # 2024: AWS's v1 model reports market-based only, so the location-based cloud figure is estimated from
    # usage; spend-based purchased goods are estimated under both methods
    shares = dict(
        built.query(
            """SELECT method, SUM(tco2e) FILTER (WHERE basis IN ('estimated_usage', 'estimated_spend')) / SUM(tco2e)
               FROM marts.scope_summary WHERE year(period_month) = 2024 GROUP BY method""",
            serving=True,
        )
    )
    page = html_of(reports, 2024)
    assert 0 < shares["market"] < shares["location"]
    location, market = (f"{100 * shares[m]:.1f} %" for m in ("location", "market"))
    assert f"{location} of location-based and {market} of market-based" in page
    # every flag of the year is listed (since issue 4 all the demo's usage is estimable, so there may be none)
    flags = {
        r[0]
        for r in built.query(
            """SELECT flag FROM ledger.activity WHERE year(period_month) = 2024 AND flag IS NOT NULL
               UNION SELECT flag FROM emissions.activity_emissions
               WHERE year(period_month) = 2024 AND flag IS NOT NULL""",
            serving=True,
        )
    }
    assert all(flag in page for flag in flags), "flagged rows are counted, not hidden"
    assert flags or "No flagged rows." in page


def test_the_reviewer_items_are_printed_as_given_in_the_settings(built, tmp_path):
    settings = InventorySettings(
        organisational_boundary="Acme Ltd & its 3 subsidiaries <EU, US>",
        consolidation_approach="financial_control",
        base_year=2024,
    )
    write_reports(built.settings.serving, tmp_path, settings)
    page = html_of(tmp_path, 2025)
    (section,) = re.findall(r'<section id="boundary">.*?</section>', page, re.DOTALL)
    assert escape("Acme Ltd & its 3 subsidiaries <EU, US>") in section
    assert "financial control" in section and "<strong>Base year:</strong> 2024." in section
    write_reports(built.settings.serving, tmp_path / "default", InventorySettings())
    default_page = html_of(tmp_path / "default", 2025)
    assert "operational control" in default_page and "not declared" in default_page
    assert escape(InventorySettings().organisational_boundary) in default_page


@pytest.mark.parametrize("year", YEARS)
def test_the_scope3_screening_lists_all_15_categories_and_includes_exactly_those_in_the_inventory(built, reports, year):
    (section,) = re.findall(r"<h3>Scope 3 screening</h3>(.*?)</table>", html_of(reports, year), re.DOTALL)
    rows = re.findall(r"<tr><td>(\d+)</td><td>[^<]*</td><td>([^<]*)</td>", section)
    assert [int(n) for n, _ in rows] == list(range(1, 16))
    included = {int(n) for n, status in rows if status == "included"}
    counted = {
        c
        for (c,) in built.query(
            """SELECT DISTINCT scope3_category FROM marts.scope_summary
               WHERE scope = 3 AND year(period_month) = ? AND tco2e <> 0""",
            [year],
            serving=True,
        )
    }
    assert included == counted and counted


@pytest.mark.parametrize("year", YEARS)
def test_the_data_quality_fallback_shares_are_the_fallback_checks(built, reports, year):
    """The share of each method's factor-based tCO2e that fell back is the factor_fallbacks check's own figure
    (the issue: the report said 97.2 % activity while the check said 51.6 % of market-based fell back)."""
    from datetime import date

    from carbon_pipeline.warehouse.sql_models import run_model

    con = duckdb.connect(str(built.settings.serving), read_only=True)
    try:
        rows = run_model(con, "checks/factor_fallbacks", start=date(year, 1, 1), end=date(year + 1, 1, 1)).fetchall()
    finally:
        con.close()
    shares: dict[str, float] = {}
    for activity_year, method, *_, share in rows:
        if activity_year == year:
            shares[method] = shares.get(method, 0.0) + share
    page = html_of(reports, year)
    for method in ("location", "market"):
        assert f"{100 * shares.get(method, 0):.1f} % of {method}-based tCO2e computed from a factor" in page


@pytest.mark.parametrize("year", YEARS)
def test_unconverted_spend_is_quantified_per_currency(built, reports, year):
    expected = built.query(
        """SELECT a.currency, SUM(a.cost) FROM emissions.activity_emissions e
           JOIN ledger.activity a USING (activity_id, period_month)
           WHERE e.flag = 'no_exchange_rate' AND e.method = 'location' AND year(e.period_month) = ?
           GROUP BY 1""",
        [year],
        serving=True,
    )
    page = html_of(reports, year)
    for currency, cost in expected:
        assert f"{cost:,.2f} {currency}" in page
    if not expected:
        assert "All spend was converted" in page


def test_restatements_say_none_recorded_when_there_are_none_and_list_them_when_there_are(built, reports, tmp_path):
    assert "None recorded for 2025." in html_of(reports, 2025)
    serving = tmp_path / "serving.duckdb"
    shutil.copy(built.settings.serving, serving)
    con = duckdb.connect(str(serving))
    con.execute(
        "INSERT INTO audit.restatements VALUES ('demo-carbon', DATE '2025-02-01', 'model_version', 'v1', 'v2.0.0', "
        "9, 18, 'run-42')"
    )
    con.close()
    write_reports(serving, tmp_path / "out")
    page = html_of(tmp_path / "out", 2025)
    assert "None recorded for 2025." not in page and "run-42" in page
    assert "None recorded for 2024." in html_of(tmp_path / "out", 2024)
    assert read_csv(tmp_path / "out" / "2025" / "restatements.csv")[0]["change_kind"] == "model_version"


def test_the_asset_writes_the_reports_and_records_their_paths_and_totals(built, tmp_path):
    result = dg.materialize(
        [inventory_report],
        resources={
            "serving": ServingResource(path=str(built.settings.serving)),
            "sources": SourcesResource(path=str(built.settings.sources_file)),
            "reports": ReportsResource(path=str(tmp_path)),
        },
    )
    assert result.success
    (materialization,) = result.asset_materializations_for_node(INVENTORY_REPORT_KEY.to_python_identifier())
    metadata = materialization.metadata
    assert Path(metadata["inventory_2025"].value).is_file()
    (location,) = built.query(
        "SELECT SUM(tco2e) FROM marts.scope_summary WHERE year(period_month) = 2025 AND method = 'location'",
        serving=True,
    )[0]
    assert metadata["total_2025_location_tco2e"].value == pytest.approx(location, rel=1e-9)
    assert "| 2025 |" in metadata["totals"].value


def run_chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install chromium (apt-get install chromium) to render the report")
    command = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    # timeout: a hang guard, not a speed expectation (a loaded machine renders slowly)
    return subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)


def test_the_report_renders_in_headless_chromium_with_its_charts_and_totals_table(reports, tmp_path):
    page = reports / "inventory_2025.html"
    screenshot = tmp_path / "report.png"
    shot = run_chromium(page, tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=1280,2400")
    assert screenshot.is_file(), shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000, "a blank page compresses to a few kB"
    dom = run_chromium(page, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'id="totals-table"' in dom.stdout
    total = read_csv(reports / "2025" / "totals.csv")[-1]
    assert f"{float(total['location_tco2e']):,.3f}" in dom.stdout
    assert dom.stdout.count("<svg") >= 3


def test_regenerating_from_an_unchanged_serving_file_gives_identical_files(built, tmp_path):
    moment = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    first = write_reports(built.settings.serving, tmp_path / "a", generated_at=moment)
    second = write_reports(built.settings.serving, tmp_path / "b", generated_at=moment)
    assert [p.relative_to(tmp_path / "a") for p in first] == [p.relative_to(tmp_path / "b") for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_the_reports_written_with_a_runs_helper_are_byte_for_byte_those_written_without(built, tmp_path):
    """With the helper process a run starts (quality/suite_process.py), the first half of the years is written
    there and the rest here: the same files, byte for byte, as one process writing them all."""
    from carbon_pipeline.quality import suite_process

    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    suite_process.stop()
    alone = write_reports(built.settings.serving, tmp_path / "alone", generated_at=at)
    suite_process.start()
    try:
        shared = write_reports(built.settings.serving, tmp_path / "shared", generated_at=at)
    finally:
        suite_process.stop()
    assert [p.relative_to(tmp_path / "alone") for p in alone] == [p.relative_to(tmp_path / "shared") for p in shared]
    assert len({p.parent.name for p in alone if p.suffix == ".csv"}) >= 2  # two years: one each side
    for mine, theirs in zip(alone, shared, strict=True):
        assert mine.read_bytes() == theirs.read_bytes(), mine.name

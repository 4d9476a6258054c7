"""settings.scope3_screening: the organisation's own screening of the Scope 3 categories it does not report
(not relevant / not estimated, each with a reason), validated when the sources file is read and shown in the
report's 15-category screening. A category the inventory counts stays "included" whatever the file says."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.reporting.report_data import Table
from carbon_pipeline.reporting.report_sections import _scope3_screening
from carbon_pipeline.sources.sources_file import load_sources_file


def _load(tmp_path, settings: str):
    path = tmp_path / "sources.yaml"
    path.write_text(f"settings:\n{settings}sources: []\n", encoding="utf-8")
    return load_sources_file(path).settings


SCREENING = (
    "  scope3_screening:\n"
    "    10: {status: not_relevant, reason: 'We sell software licences, no intermediate products'}\n"
    "    '6': {status: not_estimated, reason: 'Travel data from the agency expected in 2026'}\n"
    "    1: {status: not_relevant, reason: 'typo: we do buy goods'}\n"
)


def test_absent_no_category_is_screened(tmp_path):
    assert _load(tmp_path, "  coefficient_profile: default\n").scope3_screening == ()


def test_given_each_category_keeps_its_status_and_reason(tmp_path):
    assert _load(tmp_path, SCREENING).scope3_screening == (
        (1, "not_relevant", "typo: we do buy goods"),
        (6, "not_estimated", "Travel data from the agency expected in 2026"),
        (10, "not_relevant", "We sell software licences, no intermediate products"),
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("    16: {status: not_relevant, reason: x}\n", r"'16' is not a Scope 3 category number \(1 to 15\)"),
        ("    capital_goods: {status: not_relevant, reason: x}\n", "'capital_goods' is not a Scope 3 category"),
        ("    2: {status: irrelevant, reason: x}\n", r"settings.scope3_screening.2.status is 'irrelevant'"),
        ("    2: {status: not_relevant}\n", r"settings.scope3_screening.2.reason is missing"),
        ("    2: {status: not_relevant, reason: '  '}\n", r"settings.scope3_screening.2.reason is missing"),
        ("    2: {status: not_relevant, reason: x, owner: me}\n", "unknown key 'owner'"),
        ("    2: not_relevant\n", r"settings.scope3_screening.2 must be a mapping"),
        ("    2: {status: not_relevant, reason: x}\n    '2': {status: not_estimated, reason: y}\n", "given twice"),
    ],
)
def test_mistakes_name_the_category_and_key(tmp_path, entry, message):
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, "  scope3_screening:\n" + entry)


def test_a_list_instead_of_a_mapping_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="settings.scope3_screening must be a mapping"):
        _load(tmp_path, "  scope3_screening: [1, 2]\n")


def _rows(html: str) -> dict[str, tuple[str, str]]:
    cells = re.findall(r"<tr><td>(\d+)</td><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
    return {number: (status, why) for number, status, why in cells}


def test_the_report_shows_the_screening_and_never_hides_a_counted_category(tmp_path):
    settings = _load(tmp_path, SCREENING)
    data = SimpleNamespace(
        scope_summary=Table(
            ("scope", "scope3_category", "basis", "tco2e"),
            [(3, 1, "estimated_usage", 12.5), (2, None, "activity", 4.0)],
        )
    )
    rows = _rows(_scope3_screening(data, settings.scope3_screening))
    assert len(rows) == 15
    assert rows["10"] == (
        "not relevant",
        "We sell software licences, no intermediate products (the organisation&#x27;s screening, "
        "settings.scope3_screening)",
    )
    assert rows["6"][0] == "not estimated" and rows["6"][1].startswith("Travel data from the agency")
    # counted in the inventory: included, and the contradicting statement is shown, not obeyed
    assert rows["1"][0] == "included"
    assert "screens it as not relevant: typo: we do buy goods; the inventory counts it" in rows["1"][1]
    assert rows["3"] == ("not estimated", "no source configured for it; relevance not yet screened by the organisation")

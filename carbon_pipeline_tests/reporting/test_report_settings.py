"""The reviewer's settings (boundary, consolidation approach, base year) are optional keys of the sources file:
defaults when absent, the values as given when present, and mistakes named."""

from __future__ import annotations

import pytest

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.sources.config import DEFAULT_BOUNDARY
from carbon_pipeline.sources.sources_file import load_sources_file


def _load(tmp_path, settings: str):
    path = tmp_path / "sources.yaml"
    path.write_text(f"settings:\n{settings}sources: []\n", encoding="utf-8")
    return load_sources_file(path).settings


def test_absent_they_take_their_defaults(tmp_path):
    settings = _load(tmp_path, "  coefficient_profile: default\n")
    assert settings.organisational_boundary == DEFAULT_BOUNDARY
    assert settings.consolidation_approach == "operational_control"
    assert settings.base_year is None


def test_given_they_are_kept_as_given(tmp_path):
    settings = _load(
        tmp_path,
        "  organisational_boundary: 'Acme Ltd and subsidiaries, all sites'\n"
        "  consolidation_approach: equity_share\n  base_year: 2024\n",
    )
    assert settings.organisational_boundary == "Acme Ltd and subsidiaries, all sites"
    assert settings.consolidation_approach == "equity_share"
    assert settings.base_year == 2024


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("  consolidation_approach: control\n", "settings.consolidation_approach"),
        ("  base_year: last year\n", "settings.base_year"),
        ("  base_year: 24\n", "settings.base_year"),
    ],
)
def test_mistakes_name_the_key(tmp_path, line, message):
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, line)

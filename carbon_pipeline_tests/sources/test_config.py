"""The sources file: strict, and its errors name the file, source and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.sources.sources_file import load_sources_file


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    return path


def test_relative_uris_are_relative_to_the_sources_file_and_settings_default(tmp_path):
    config = load_sources_file(write(tmp_path, "sources:\n  - {id: cur, kind: aws_cur, uri: landing/cur}\n"))
    assert config.sources[0].uri == str((tmp_path / "landing" / "cur").resolve())
    assert config.settings.cloud_scope_policy == "scope3_category1"
    assert config.settings.carbon_model_version == "newest"
    assert config.settings.pinned_model_version is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources:\n  - {id: a, kind: aws_cur, uri: x, bucket: y}\n", "unknown key 'bucket'"),
        ("sources:\n  - {id: a, kind: aws_curr, uri: x}\n", "unknown kind 'aws_curr'"),
        ("sources:\n  - {id: a, kind: aws_cur}\n", "missing required key 'uri'"),
        ("sources:\n  - {id: a, kind: aws_cur, uri: x}\n  - {id: a, kind: aws_cur, uri: y}\n", "'a' is used twice"),
        ("settings: {cloud_scope_policy: scope1}\nsources: []\n", "settings.cloud_scope_policy"),
        ("settings: {colour: red}\nsources: []\n", "unknown key 'settings.colour'"),
        ("source: []\n", "unknown key 'source'"),
        ("sources:\n  - {id: a, kind: activity_csv, uri: x, template: water}\n", "key 'template'"),
        ("sources: [\n", "not valid YAML"),
    ],
)
def test_mistakes_are_errors_that_name_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match="sources.yaml") as error:
        load_sources_file(write(tmp_path, text))
    assert message in str(error.value)

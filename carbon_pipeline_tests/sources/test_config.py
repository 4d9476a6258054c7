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


def test_an_edited_sources_file_takes_effect_at_the_next_load_and_a_broken_one_is_refused_every_time(tmp_path):
    path = write(tmp_path, "sources:\n  - {id: cur, kind: aws_cur, uri: landing/cur}\n")
    assert [s.id for s in load_sources_file(path).sources] == ["cur"]
    path.write_text("sources: [\n")
    for _ in range(2):  # a parse is reused only for the same text: an error is raised again, not remembered
        with pytest.raises(ConfigError, match="not valid YAML"):
            load_sources_file(path)
    path.write_text("sources:\n  - {id: cur2, kind: aws_cur2, uri: landing/cur2}\n")
    assert [(s.id, s.kind) for s in load_sources_file(path).sources] == [("cur2", "aws_cur2")]


def test_the_same_relative_sources_path_read_from_another_folder_resolves_there(tmp_path, monkeypatch):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder, "sources:\n  - {id: cur, kind: aws_cur, uri: landing}\n")
    uris = []
    for folder in ("a", "b"):
        monkeypatch.chdir(tmp_path / folder)
        uris.append(load_sources_file("sources.yaml").sources[0].uri)
    assert uris == [str((tmp_path / folder / "landing").resolve()) for folder in ("a", "b")]


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

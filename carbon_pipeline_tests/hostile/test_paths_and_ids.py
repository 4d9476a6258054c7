"""Class 1 of issue 13: nothing outside the configured folders is ever written or deleted. Source ids follow a
documented safe pattern, ids that would name the same definitions are refused, every derived path is checked
to stay under its root, and ZIP members are extracted into a private folder under the staging root."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from carbon_pipeline.errors import ConfigError, SourceError
from carbon_pipeline.safety.extraction import EXTRACT_FOLDER, PREFIX, remove_orphans
from carbon_pipeline.safety.paths import UnsafePathError, contained, strictly_contained
from carbon_pipeline.sources.aws_cur import reader as aws_cur
from carbon_pipeline.sources.s3 import S3Landing
from carbon_pipeline.sources.sources_file import load_sources_file


def sources_file(tmp_path: Path, *ids: str) -> Path:
    path = tmp_path / "sources.yaml"
    lines = ["sources:"] + [f"  - {{id: {source_id!r}, kind: aws_cur, uri: landing}}" for source_id in ids]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    "source_id", ["..", ".", "/etc", "a/b", "a\\b", "../x", "Prod", "-x", "_x", "a.b", "a b", "x" * 64, "é"]
)
def test_a_source_id_outside_the_safe_pattern_is_refused_naming_the_rule(tmp_path, source_id):
    with pytest.raises(ConfigError, match="is not allowed") as error:
        load_sources_file(sources_file(tmp_path, source_id))
    assert "lower-case letters, digits" in str(error.value)


@pytest.mark.parametrize("source_id", ["a", "prod-cur", "cur_2", "0", "x" * 63])
def test_ids_in_the_pattern_load(tmp_path, source_id):
    assert load_sources_file(sources_file(tmp_path, source_id)).sources[0].id == source_id


def test_ids_that_differ_only_by_dash_or_underscore_are_refused_before_they_clash_as_job_names(tmp_path):
    with pytest.raises(ConfigError, match="'my-cur' and 'my_cur' differ only by '-'/'_'"):
        load_sources_file(sources_file(tmp_path, "my-cur", "my_cur"))


def test_contained_refuses_parent_absolute_and_symlinked_escapes(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    (root / "link").symlink_to(tmp_path / "outside")
    assert contained(root, "a", "b") == (root / "a" / "b").resolve()
    for parts in (("..",), ("a", "..", ".."), ("/etc",), ("link",), ("link", "x")):
        with pytest.raises(UnsafePathError, match="would leave its folder"):
            contained(root, *parts)
    with pytest.raises(UnsafePathError):
        strictly_contained(root, "")  # deleting it would delete the root


@pytest.mark.parametrize("source_id", ["..", "", "/", "a/../.."])
def test_an_s3_source_never_gets_a_staging_folder_outside_or_equal_to_the_staging_root(tmp_path, source_id):
    """Even when an unvalidated id reaches it (a programmatic caller): the id once made cleanup rmtree the
    staging root's parent, which holds the warehouse."""
    staging = tmp_path / "data" / "staging"
    staging.mkdir(parents=True)
    keep = tmp_path / "data" / "warehouse.duckdb"
    keep.write_text("precious")
    with pytest.raises(SourceError, match="staging folder not allowed"):
        S3Landing(source_id, "s3://bucket/prefix", client=object(), staging_root=staging)
    assert keep.read_text() == "precious" and staging.is_dir()


def test_a_zip_member_is_extracted_under_the_staging_root_not_the_landing_folder_and_removed(tmp_path, monkeypatch):
    staging = tmp_path / "staging"
    monkeypatch.setenv("CARBON_STAGING", str(staging))
    landing = tmp_path / "landing"
    landing.mkdir()
    obj = landing / "r-1.csv.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("../../evil.csv", "a,b\n1,2\n")  # a member name is never used as a path
    obj.write_bytes(buffer.getvalue())
    before = sorted(landing.rglob("*"))

    with aws_cur.extracted_csv(obj, source_id="cur", object_key="r-1.csv.zip") as extracted:
        assert (staging / EXTRACT_FOLDER).resolve() in extracted.resolve().parents
        assert extracted.read_text() == "a,b\n1,2\n"
        assert sorted(landing.rglob("*")) == before
    assert not extracted.exists() and not extracted.parent.exists()
    assert not (tmp_path / "evil.csv").exists()


def test_extraction_folders_left_by_a_dead_process_are_removed_by_the_next_extraction(tmp_path):
    root = tmp_path / EXTRACT_FOLDER
    pid = os.fork()
    if pid == 0:  # a child that exits at once: its pid is certainly dead once reaped
        os._exit(0)
    os.waitpid(pid, 0)
    orphan = root / f"{PREFIX}{pid}-abc"
    orphan.mkdir(parents=True)
    (orphan / "member.csv").write_text("left by a crash")
    mine = root / f"{PREFIX}{os.getpid()}-def"
    mine.mkdir()

    assert remove_orphans(root) == [orphan]
    assert not orphan.exists() and mine.is_dir()


def test_an_orphan_that_is_a_symlink_is_unlinked_never_followed(tmp_path):
    root = tmp_path / EXTRACT_FOLDER
    root.mkdir()
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    link = root / f"{PREFIX}{pid}-x"
    link.symlink_to(outside, target_is_directory=True)

    remove_orphans(root)

    assert not link.is_symlink() and (outside / "keep.txt").read_text() == "keep"


@pytest.mark.parametrize("key", ["../outside.txt", "a/../../outside.txt", "/etc/passwd"])
def test_a_partition_store_key_from_a_pointer_never_reaches_outside_the_store(tmp_path, key):
    from carbon_pipeline.storage.backends import LocalFolder, PartitionStoreError

    store = LocalFolder(tmp_path / "store")
    (tmp_path / "store").mkdir()
    (tmp_path / "outside.txt").write_text("keep")
    for operation in (store.read_bytes, store.delete, lambda k: store.write_bytes(k, b"x")):
        with pytest.raises(PartitionStoreError, match="would leave its folder"):
            operation(key)
    assert (tmp_path / "outside.txt").read_text() == "keep"

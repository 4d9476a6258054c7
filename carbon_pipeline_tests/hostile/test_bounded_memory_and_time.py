"""Class 2 of issue 13: bounded memory and time on any input. The bombs are read in a child process under a
hard address-space limit (RLIMIT_AS), so a regression fails the test instead of eating the machine; the child
reports its peak RSS and time. The hang is a local server (port 0) that accepts connections and never answers.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from carbon_pipeline.errors import SourceError
from carbon_pipeline.safety.s3_client import make_s3_client
from carbon_pipeline.sources.s3 import S3Landing
from carbon_pipeline_tests.hostile.bombs import gzip_bomb, zip_bomb

# The child's baseline address space after importing DuckDB is about 0.8 GB; 1.5 GiB leaves room for the read
# but not for a copy of the 1 GiB object, so reading the bomb whole fails inside the limit.
ADDRESS_SPACE_LIMIT = 1536 << 20
BOMB_MIB = 1024

CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    import duckdb
    from carbon_pipeline.sources.aws_cur import reader as aws_cur
    from carbon_pipeline.errors import SourceError
    con = duckdb.connect(config={{"threads": 1, "memory_limit": "256MB"}})
    path, key = Path(sys.argv[1]), sys.argv[2]
    started = time.monotonic()
    outcome = {{}}
    try:
        with aws_cur.open_object(con, path, source_id="cur", object_key=key) as (relation, _):
            outcome["rows"] = aws_cur.count_rows(relation)
    except SourceError as exc:
        outcome["error"] = str(exc)
    except MemoryError:
        outcome["error"] = "MemoryError"
    outcome["seconds"] = time.monotonic() - started
    outcome["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(outcome))
    """
)


def read_in_limited_child(path: Path, key: str, staging: Path) -> dict:
    env = {"CARBON_STAGING": str(staging), "GX_ANALYTICS_ENABLED": "false", "DAGSTER_DISABLE_TELEMETRY": "true"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=ADDRESS_SPACE_LIMIT), str(path), key],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{key}: {outcome}")  # the figures the closing note of issue 13 quotes (pytest -s)
    return outcome


@pytest.fixture(scope="module")
def bomb_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("bombs")


def test_a_csv_gz_expanding_to_a_gib_with_no_newline_fails_naming_the_object_within_the_memory_limit(bomb_folder):
    path = gzip_bomb(bomb_folder / "r-1.csv.gz", BOMB_MIB)
    outcome = read_in_limited_child(path, "20251101-20251201/r-1.csv.gz", bomb_folder / "staging")
    assert outcome.get("error", "").startswith("source 'cur', object '20251101-20251201/r-1.csv.gz'")
    assert "first line is longer than" in outcome["error"]


def test_a_zip_bomb_is_refused_by_its_declared_size_before_anything_is_written(bomb_folder):
    path = zip_bomb(bomb_folder / "declared.csv.zip", BOMB_MIB)
    staging = bomb_folder / "staging-declared"
    outcome = read_in_limited_child(path, "p/declared.csv.zip", staging)
    assert "object 'p/declared.csv.zip': refused: ZIP member 'bomb.csv' declares" in outcome["error"]
    assert not [p for p in staging.rglob("*") if p.is_file()]


def test_a_zip_bomb_lying_about_its_size_is_refused_and_leaves_nothing(bomb_folder):
    path = zip_bomb(bomb_folder / "lying.csv.zip", BOMB_MIB, declare_bytes=1000)
    staging = bomb_folder / "staging-lying"
    outcome = read_in_limited_child(path, "p/lying.csv.zip", staging)
    assert outcome["error"].startswith("source 'cur', object 'p/lying.csv.zip': ")
    assert not [p for p in staging.rglob("*") if p.is_file()]


class SilentServer:
    """Accepts TCP connections on an ephemeral port and never sends a byte."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def fast_s3_limits(monkeypatch):
    monkeypatch.setenv("CARBON_S3_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("CARBON_S3_READ_TIMEOUT", "1")
    monkeypatch.setenv("CARBON_S3_DEADLINE", "3")


def landing_at(endpoint: str, tmp_path: Path) -> S3Landing:
    client = make_s3_client(
        max_attempts=10,
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="k",
        aws_secret_access_key="s",
    )
    return S3Landing("cur", "s3://billing-bucket/cur/acme", client, tmp_path / "staging")


def test_an_endpoint_that_accepts_and_never_answers_fails_naming_bucket_and_prefix(tmp_path, fast_s3_limits):
    server = SilentServer()
    try:
        landing = landing_at(f"http://127.0.0.1:{server.port}", tmp_path)
        started = time.monotonic()
        with pytest.raises(SourceError) as error:
            landing.list_dirs("")
        elapsed = time.monotonic() - started
    finally:
        server.close()
    print(f"silent endpoint: failed after {elapsed:.1f}s")
    assert "bucket 'billing-bucket', prefix 'cur/acme'" in str(error.value)
    assert server.accepted, "the client never reached the server: the test proved nothing"
    # ten attempts of a 1 s read timeout plus backoff would be well past this; without timeouts it never returns
    assert elapsed < 60


def test_a_closed_port_fails_naming_bucket_and_prefix(tmp_path, fast_s3_limits):
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(SourceError, match="bucket 'billing-bucket', prefix 'cur/acme'"):
        landing_at(f"http://127.0.0.1:{port}", tmp_path).exists("20251101-20251201/acme-Manifest.json")


# --- the readers' scratch connections ------------------------------------------------------------------------


def test_a_readers_scratch_connection_is_capped_and_spills_into_its_own_folder_not_the_working_directory(
    tmp_path, monkeypatch
):
    """Listing the months a dropped file covers and naming an object's bad cell stage the file in an in-memory
    DuckDB. Under CARBON_DUCKDB_MEMORY_LIMIT, more than the limit spills into the scratch folder, which goes
    when the connection does; nothing lands in the folder the process was started from."""
    import tempfile

    from carbon_pipeline.warehouse.connection import memory_limit_bytes, scratch_connection

    started_from = tmp_path / "started-here"
    started_from.mkdir()
    monkeypatch.chdir(started_from)
    monkeypatch.setenv("CARBON_DUCKDB_MEMORY_LIMIT", "64MB")
    with scratch_connection() as con:
        assert memory_limit_bytes(con) <= 64_000_000
        spill = Path(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])
        assert spill.parent == Path(tempfile.gettempdir()) and spill.is_dir()
        # about 200 MB of staged rows: three times the limit
        con.execute(
            "CREATE TEMP TABLE staged AS SELECT i, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS s "
            "FROM range(3000000) t(i)"
        )
        assert any(name.endswith(".tmp") for name in os.listdir(spill)), "the rows over the limit spilled here"
        assert con.execute("SELECT COUNT(DISTINCT s) FROM staged").fetchall() == [(3000000,)]
    assert not spill.exists()
    assert list(started_from.iterdir()) == []


def test_no_source_reader_opens_a_duckdb_of_its_own():
    """The readers' scratch work goes through warehouse.connection.scratch_connection (capped, contained); a
    bare duckdb.connect() in carbon_pipeline/sources would take 80 % of the machine and spill into the
    working directory."""
    sources = Path(__file__).resolve().parents[2] / "carbon_pipeline" / "sources"
    found = [
        f"{path.relative_to(sources)}:{number}"
        for path in sorted(sources.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "duckdb.connect(" in line
    ]
    assert found == []

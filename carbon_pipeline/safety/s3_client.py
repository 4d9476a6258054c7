"""An S3 client that cannot hang: connect and read timeouts on every request, the standard retry mode kept
for throttling (503 SlowDown) and transient errors, and an overall deadline per listing or HEAD call so that
ten retries of a read timeout cannot add up to ten minutes. An endpoint that accepted connections and never
answered once held the CLI for over seven minutes before any run started.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError

from carbon_pipeline.safety.limits import s3_timeouts


class S3DeadlineExceeded(BotoCoreError):
    """Raised before a request (or a retry) would start after the call's deadline has passed."""

    fmt = "no answer from S3 within {seconds:.0f} s (CARBON_S3_DEADLINE), retries included"


def client_config(max_attempts: int) -> Config:
    """botocore Config with the project's timeouts and the standard retry mode."""
    connect, read, _ = s3_timeouts()
    return Config(
        connect_timeout=connect,
        read_timeout=read,
        retries={"max_attempts": max_attempts, "mode": "standard"},
    )


@cache
def _shared_loader() -> Any:
    """botocore's data loader, one per process: it caches the service models and endpoint rules it has
    parsed, but belongs to a session, and a fresh session re-parses them (about 0.15 s of JSON per client:
    a sensor tick over 24 months of an S3 source made 24 clients, 3.5 s)."""
    from botocore.loaders import create_loader

    return create_loader()


def aws_session() -> Any:
    """A new boto3 Session (its own credential chain, read from the environment now) sharing the process's
    data loader. A new session per client keeps each source's credentials apart; only the parsed service
    definitions, which are the same for every session, are shared."""
    import boto3
    import botocore.session

    core = botocore.session.Session()
    core.register_component("data_loader", _shared_loader())
    return boto3.session.Session(botocore_session=core)


def make_s3_client(
    *,
    max_attempts: int,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
    aws_session_token: str | None = None,
) -> Any:
    """A boto3 S3 client as dagster-aws' S3Resource builds it, plus timeouts (S3Resource takes no Config)."""
    return aws_session().client(
        "s3",
        region_name=region_name,
        endpoint_url=endpoint_url,
        aws_access_key_id=aws_access_key_id,
        aws_secret_access_key=aws_secret_access_key,
        aws_session_token=aws_session_token,
        config=client_config(max_attempts),
    )


class Deadline:
    """A per-thread deadline checked before every request the client sends (first attempt and retries)."""

    def __init__(self, client: Any) -> None:
        self._local = threading.local()
        events = getattr(getattr(client, "meta", None), "events", None)
        if events is not None:
            events.register("before-send.s3", self._check)

    def _check(self, **_: Any) -> None:
        until = getattr(self._local, "until", None)
        if until is not None and time.monotonic() > until:
            raise S3DeadlineExceeded(seconds=self._local.seconds)

    @contextmanager
    def within(self, seconds: float | None = None) -> Iterator[None]:
        """Requests sent inside the block fail once ``seconds`` (default CARBON_S3_DEADLINE) have passed."""
        seconds = s3_timeouts()[2] if seconds is None else seconds
        previous = getattr(self._local, "until", None), getattr(self._local, "seconds", None)
        self._local.until, self._local.seconds = time.monotonic() + seconds, seconds
        try:
            yield
        finally:
            self._local.until, self._local.seconds = previous

"""Bounds on what one input may cost: memory for a header line, disk for an extracted ZIP member, time for an
S3 endpoint. Each has a default sized for real AWS deliveries and an environment variable to raise it, so a
genuine huge report can be read on purpose while a bomb or a dead endpoint fails quickly, naming the object.
"""

from __future__ import annotations

import os
from typing import IO

# A CUR header with hundreds of tag columns is tens of kilobytes; a header line of more than this is not a
# header (a 2 GiB line with no newline once made header sniffing take 14.8 GB).
MAX_HEADER_BYTES_DEFAULT = 4 << 20
# Total bytes one ZIP object may extract to, and how many times its compressed size it may expand. Real CUR
# CSVs compress 10-40x; DEFLATE's maximum is about 1030x, which is what bombs use.
MAX_EXTRACTED_BYTES_DEFAULT = 64 << 30
MAX_EXPANSION_RATIO_DEFAULT = 100
# S3: seconds to open a connection, to wait for a response's next bytes, and for a whole listing or HEAD
# call including its retries (downloads are bounded by the read timeout, since a large object takes long).
S3_CONNECT_TIMEOUT_DEFAULT = 10.0
S3_READ_TIMEOUT_DEFAULT = 60.0
S3_DEADLINE_DEFAULT = 300.0


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw[:40]!r} is not a number") from exc
    if value <= 0:
        raise ValueError(f"{name}={raw[:40]!r} must be positive")
    return value


def max_header_bytes() -> int:
    return int(_env_number("CARBON_MAX_HEADER_BYTES", MAX_HEADER_BYTES_DEFAULT))


def max_extracted_bytes() -> int:
    return int(_env_number("CARBON_MAX_EXTRACTED_BYTES", MAX_EXTRACTED_BYTES_DEFAULT))


def max_expansion_ratio() -> float:
    return _env_number("CARBON_MAX_EXPANSION_RATIO", MAX_EXPANSION_RATIO_DEFAULT)


def s3_timeouts() -> tuple[float, float, float]:
    """(connect timeout, read timeout, overall deadline of one listing/HEAD call) in seconds."""
    return (
        _env_number("CARBON_S3_CONNECT_TIMEOUT", S3_CONNECT_TIMEOUT_DEFAULT),
        _env_number("CARBON_S3_READ_TIMEOUT", S3_READ_TIMEOUT_DEFAULT),
        _env_number("CARBON_S3_DEADLINE", S3_DEADLINE_DEFAULT),
    )


class LineTooLong(ValueError):
    """The first line of an object is longer than the header limit."""


def read_first_line(handle: IO[bytes], limit: int | None = None) -> bytes:
    """The first line of a binary stream (without reading past ``limit`` bytes): ``readline`` with no limit
    reads a whole decompressed object into memory when it has no newline. Raises LineTooLong when no line end
    comes within the limit; a stream shorter than the limit with no newline is returned whole."""
    limit = max_header_bytes() if limit is None else limit
    line = handle.readline(limit + 1)
    if len(line) > limit and not line.endswith(b"\n"):
        raise LineTooLong(f"its first line is longer than {limit} bytes (CARBON_MAX_HEADER_BYTES)")
    return line


def truncate(value: object, limit: int = 200) -> str:
    """``value`` as text of at most ``limit`` characters, for messages: a 1.5 MB cell once went whole into
    stderr and the run database."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"

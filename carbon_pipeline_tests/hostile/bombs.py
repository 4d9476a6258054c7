"""Building hostile compressed objects without ever holding their expanded content in memory."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

CHUNK = b"A" * (1 << 20)  # no newline anywhere


def gzip_bomb(path: Path, expanded_mib: int) -> Path:
    """A gzip stream of ``expanded_mib`` MiB of 'A' with no newline: a 'CSV' whose first line never ends."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # wbits 31: gzip container
    with path.open("wb") as out:  # wbits 31: zlib writes the gzip header and trailer itself
        for _ in range(expanded_mib):
            out.write(compressor.compress(CHUNK))
        out.write(compressor.flush())
    return path


def zip_bomb(path: Path, expanded_mib: int, *, declare_bytes: int | None = None) -> Path:
    """A ZIP with one CSV member of ``expanded_mib`` MiB (a header line, then filler), written by streaming.
    With ``declare_bytes`` the central directory lies about the member's expanded size."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("bomb.csv", "w") as member,
    ):
        member.write(b"lineItem/UsageAccountId,lineItem/UnblendedCost\n")
        for _ in range(expanded_mib):
            member.write(CHUNK)
    if declare_bytes is not None:
        _lie_about_size(path, declare_bytes)
    return path


def _lie_about_size(path: Path, declared: int) -> None:
    """Overwrite the uncompressed size in the central directory, the size zipfile trusts."""
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    path.write_bytes(bytes(data))

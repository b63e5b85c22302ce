"""Pictures for the simulators: small PNG posters, different per title, made without libraries."""

from __future__ import annotations

import functools
import hashlib
import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


@functools.cache
def poster_png(seed: str, width: int = 120, height: int = 180) -> bytes:
    """A ``width`` x ``height`` RGB PNG: a vertical gradient between two colours of ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    top, bottom = digest[0:3], digest[3:6]
    rows = bytearray()
    for y in range(height):
        share = y / max(height - 1, 1)
        pixel = bytes(
            round(a + (b - a) * share) // 2 + 40 for a, b in zip(top, bottom, strict=True)
        )
        rows += b"\x00" + pixel * width  # filter byte 0, then the row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows)))
        + _chunk(b"IEND", b"")
    )

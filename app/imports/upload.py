"""Reading an upload under the size limit (MATCHA_IMPORT_MAX_MB): in chunks, stopping at
the first byte over it, so a too-large file never sits in memory whole."""

from __future__ import annotations

from typing import Protocol

from app.errors import ValidationFailed
from app.i18n import N_

CHUNK = 1024 * 1024
TOO_LARGE = N_("Filen är för stor: högst %(max)s MB.")


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class TooLarge(ValidationFailed):
    http_status = 413


def read_limited(stream: Readable, *, max_mb: int) -> bytes:
    limit = max_mb * 1024 * 1024
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise TooLarge(TOO_LARGE, field="file", variables={"max": max_mb})
        chunks.append(chunk)
    return b"".join(chunks)

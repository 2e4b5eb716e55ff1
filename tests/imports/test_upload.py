"""The upload limit: a larger file is refused after reading just over the limit."""

import io

import pytest

from app.imports.upload import TooLarge, read_limited


class Counting(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def test_a_file_over_the_limit_is_refused_before_it_is_read_whole():
    stream = Counting(b"x" * (5 * 1024 * 1024))
    with pytest.raises(TooLarge) as refused:
        read_limited(stream, max_mb=2)
    assert refused.value.variables == {"max": 2}
    assert stream.taken <= 3 * 1024 * 1024


def test_a_file_under_the_limit_is_read():
    assert read_limited(io.BytesIO(b"abc"), max_mb=1) == b"abc"

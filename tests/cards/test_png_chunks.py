from __future__ import annotations

import zlib

import png
import pytest

from personae.cards.png_chunks import (
    PngChunkError,
    placeholder_png,
    read_chunks,
    text_chunks,
    with_text_chunks,
)
from tests.cards.builders import png_with_chunks, tiny_png


@pytest.mark.parametrize("chunk_type", ["tEXt", "zTXt", "iTXt"])
def test_each_text_chunk_type_decodes_to_its_text(chunk_type: str) -> None:
    data = png_with_chunks([(chunk_type, "chara", "hello card")])
    (chunk,) = text_chunks(read_chunks(data))
    assert (chunk.keyword, chunk.decode(1000)) == ("chara", "hello card")


def test_compressed_itxt_decodes() -> None:
    body = b"ccv3\0\x01\x00\0\0" + zlib.compress("é card".encode())
    base = read_chunks(tiny_png())
    data = with_text_chunks(base, [], set())
    chunks = [*read_chunks(data)[:-1], (b"iTXt", body), read_chunks(data)[-1]]
    (chunk,) = text_chunks(chunks)
    assert chunk.decode(1000) == "é card"


def test_inflating_past_the_limit_is_refused() -> None:
    data = png_with_chunks([("zTXt", "chara", "a" * 100_000)])
    (chunk,) = text_chunks(read_chunks(data))
    with pytest.raises(PngChunkError, match="inflates to more than"):
        chunk.decode(1000)


def test_replacing_text_chunks_keeps_every_other_chunk_byte_for_byte() -> None:
    original = png_with_chunks([("tEXt", "Chara", "old"), ("tEXt", "Comment", "keep me")])
    chunks = read_chunks(original)
    rewritten = read_chunks(with_text_chunks(chunks, [("ccv3", "new")], {"chara", "ccv3"}))
    untouched = [c for c in chunks if c[1].partition(b"\0")[0] != b"Chara"]
    assert [c for c in rewritten if c[0] != b"tEXt" or b"Comment" in c[1]] == untouched
    assert (b"tEXt", b"ccv3\0new") in rewritten
    assert rewritten[-1][0] == b"IEND"


def test_not_a_png_is_a_clear_problem() -> None:
    with pytest.raises(PngChunkError, match="not a PNG"):
        read_chunks(b"GIF89a....")


def test_truncated_png_is_a_clear_problem() -> None:
    with pytest.raises(PngChunkError, match="damaged PNG"):
        read_chunks(tiny_png()[:-10])


def test_placeholder_is_a_valid_png_that_depends_on_its_seed() -> None:
    width, height, _, _ = png.Reader(bytes=placeholder_png("aria")).read()
    assert (width, height) == (64, 64)
    assert placeholder_png("aria") != placeholder_png("bram")

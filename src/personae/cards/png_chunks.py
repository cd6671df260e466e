"""PNG text chunks (tEXt, zTXt, iTXt) at the chunk level, so the image bytes stay untouched.

pypng walks and writes the chunks (signature, lengths, chunk types, CRCs); this module decodes
the three text chunk layouts of the PNG specification, with a size cap on decompression.
Pillow was not used: it re-encodes the image on save, and reading text after the image data
makes it decode every pixel.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass

import png

TEXT_CHUNK_TYPES = (b"tEXt", b"zTXt", b"iTXt")
Chunk = tuple[bytes, bytes]


class PngChunkError(ValueError):
    """The bytes are not a well-formed PNG, or a text chunk cannot be decoded."""


@dataclass(frozen=True)
class TextChunk:
    """A text chunk's keyword and its raw body, decoded on demand (`decode`)."""

    chunk_type: str
    keyword: str
    body: bytes

    def decode(self, max_bytes: int) -> str:
        """The chunk's text; compressed text larger than `max_bytes` is refused."""
        if self.chunk_type == "tEXt":
            return self.body.decode("latin-1")
        if self.chunk_type == "zTXt":
            if not self.body or self.body[0] != 0:
                raise PngChunkError(f"zTXt chunk {self.keyword!r} uses an unknown compression")
            return _inflate(self.body[1:], max_bytes, self.keyword).decode("latin-1")
        return self._decode_itxt(max_bytes)

    def _decode_itxt(self, max_bytes: int) -> str:
        if len(self.body) < 2:
            raise PngChunkError(f"iTXt chunk {self.keyword!r} is truncated")
        compressed, method = self.body[0], self.body[1]
        parts = self.body[2:].split(b"\0", 2)
        if len(parts) != 3:
            raise PngChunkError(f"iTXt chunk {self.keyword!r} is truncated")
        text = parts[2]
        if compressed:
            if method != 0:
                raise PngChunkError(f"iTXt chunk {self.keyword!r} uses an unknown compression")
            text = _inflate(text, max_bytes, self.keyword)
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError:
            raise PngChunkError(f"iTXt chunk {self.keyword!r} is not UTF-8 text") from None


def read_chunks(data: bytes) -> list[Chunk]:
    """Every chunk of a PNG, in order, up to IEND; a damaged PNG raises `PngChunkError`."""
    try:
        return list(png.Reader(bytes=data).chunks())
    except (png.Error, EOFError) as error:
        raise PngChunkError(_png_problem(error)) from None


def text_chunks(chunks: list[Chunk]) -> list[TextChunk]:
    """The text chunks among `chunks`, with their keywords (chunks without one are skipped)."""
    found: list[TextChunk] = []
    for chunk_type, body in chunks:
        if chunk_type not in TEXT_CHUNK_TYPES:
            continue
        keyword, separator, rest = body.partition(b"\0")
        if not separator or not keyword:
            continue
        found.append(TextChunk(chunk_type.decode("ascii"), keyword.decode("latin-1"), rest))
    return found


def with_text_chunks(chunks: list[Chunk], texts: list[tuple[str, str]], drop: set[str]) -> bytes:
    """A PNG of `chunks` whose text chunks with a keyword in `drop` (compared in lower case) are
    replaced by new tEXt chunks `texts` (keyword, latin-1 text) just before IEND. Every other
    chunk, the image data included, is written back byte for byte."""
    kept = [chunk for chunk in chunks if not _is_dropped(chunk, drop)]
    new = [
        (b"tEXt", keyword.encode("latin-1") + b"\0" + text.encode("latin-1"))
        for keyword, text in texts
    ]
    end = next((i for i, (chunk_type, _) in enumerate(kept) if chunk_type == b"IEND"), len(kept))
    out = io.BytesIO()
    png.write_chunks(out, [*kept[:end], *new, *kept[end:]])
    return out.getvalue()


def placeholder_png(seed: str, size: int = 64) -> bytes:
    """A plain square in a colour derived from `seed`, for cards exported without an image."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    red, green, blue = (64 + digest[i] // 2 for i in range(3))
    row = [red, green, blue] * size
    out = io.BytesIO()
    png.Writer(width=size, height=size, greyscale=False, bitdepth=8).write(out, [row] * size)
    return out.getvalue()


def _is_dropped(chunk: Chunk, drop: set[str]) -> bool:
    chunk_type, body = chunk
    if chunk_type not in TEXT_CHUNK_TYPES:
        return False
    keyword = body.partition(b"\0")[0].decode("latin-1").lower()
    return keyword in drop


def _inflate(data: bytes, max_bytes: int, keyword: str) -> bytes:
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, max_bytes + 1)
    except zlib.error as error:
        raise PngChunkError(f"text chunk {keyword!r} is not valid zlib data ({error})") from None
    if len(text) > max_bytes:
        raise PngChunkError(
            f"text chunk {keyword!r} inflates to more than {max_bytes} bytes; refusing it"
        )
    if not inflater.eof:
        raise PngChunkError(f"text chunk {keyword!r} has truncated zlib data")
    return text


def _png_problem(error: BaseException) -> str:
    message = str(error) or type(error).__name__
    if isinstance(error, EOFError) or "invalid signature" in message:
        return "not a PNG file (no PNG signature)"
    return f"damaged PNG: {message}"

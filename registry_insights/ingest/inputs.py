"""Opening an input: a file path or ``-`` for stdin, gzip or plain (by magic bytes)."""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, cast

GZIP_MAGIC = b"\x1f\x8b"
STDIN = "-"


class InputError(Exception):
    """An input that cannot be used at all (missing, unreadable, not text)."""


@contextmanager
def open_binary(source: str | Path) -> Iterator[BinaryIO]:
    """The decompressed bytes of ``source`` (``-`` = stdin), gzip detected by magic."""
    if str(source) == STDIN:
        raw: BinaryIO = sys.stdin.buffer
        owned = False
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        try:
            raw = path.open("rb")
        except OSError as error:
            raise InputError(f"{path}: {error.strerror}") from error
        owned = True
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast(Any, raw))
    try:
        if buffered.peek(2)[:2] == GZIP_MAGIC:
            with gzip.GzipFile(fileobj=buffered) as unzipped:
                yield cast(BinaryIO, unzipped)
        else:
            yield cast(BinaryIO, buffered)
    finally:
        if owned:
            raw.close()


def numbered_lines(stream: BinaryIO) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its end-of-line); bytes that are not UTF-8
    are replaced, so a bad byte costs one line, not the whole input."""
    try:
        for number, line in enumerate(stream, start=1):
            yield number, line.decode("utf-8", errors="replace").rstrip("\r\n")
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise InputError(f"unreadable input: {error}") from error


def input_size(source: str | Path) -> int | None:
    """Bytes to read, for a progress bar (None for stdin and compressed files)."""
    if str(source) == STDIN:
        return None
    try:
        with Path(source).open("rb") as head:
            if head.read(2) == GZIP_MAGIC:
                return None
        return Path(source).stat().st_size
    except OSError:
        return None

"""TEMPORARY stand-in (replaced by the h3-io branch): writing outputs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, BinaryIO

from translate_cli.io import open_output as _old_open


def check_output(path: str | None) -> None:
    pass


@contextmanager
def open_output(path: str | None, stdout: BinaryIO | None = None) -> Iterator[IO[str]]:
    if path is None or path == "-":
        assert stdout is not None
        wrapper = io.TextIOWrapper(stdout, encoding="utf-8", write_through=True)  # type: ignore[arg-type]
        try:
            yield wrapper
            wrapper.flush()
        finally:
            wrapper.detach()
        return
    with _old_open(path) as out:
        yield out

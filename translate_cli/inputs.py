"""Reading inputs: paths, ``-`` for standard input, http(s) URLs; text, HTML, documents (PDF,
Word) or JSONL batches.

A file that cannot be read as text raises ``InputError`` (exit 4) naming the file and, for bad
bytes, the byte offset; a wrong command line raises ``UsageError`` (exit 2). Every named path is
checked before the first record is produced, so a typo in the third file fails before any work.

In a JSONL batch one bad line does not sink the others: it becomes a ``Record`` whose ``error``
says what is wrong (file and line), and the caller reports it and goes on. The same holds for a
URL that cannot be fetched and a page with no article: the record carries the error.

``--input-format auto`` (the default) reads HTML as a web page (its article is extracted, see
``translate_cli.web``), a PDF or Word file as a document (recognised by its bytes, or for a URL
by its media type; see ``translate_cli.documents``) and everything else exactly as ``text``
does; JSONL is read only when asked for. ``pdf`` and ``docx`` force a document's kind.
"""

from __future__ import annotations

import json
import math
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

from translate_cli.documents import DOCUMENTS, MEDIA_TYPES, read_document, sniff
from translate_cli.errors import InputError, TranslateCliError, UsageError
from translate_cli.registry import Registry
from translate_cli.web.fetch import DEFAULT_TIMEOUT, check_url, is_url, safe_url, url_scheme
from translate_cli.web.sniff import looks_like_html

if TYPE_CHECKING:
    from translate_cli.web.feeds import FeedItem
    from translate_cli.web.fetch import Page

_BOM = b"\xef\xbb\xbf"
STDIN_NAME = "<stdin>"
NO_INPUT = "no input: give a file path, or '-' to read standard input"
# How an INPUT is read (``--input-format``); the reading itself is ``_records``'s.
INPUT_FORMATS: Registry[str] = Registry("input format", "--input-format")
INPUT_FORMATS.register(
    "auto",
    "auto",
    help="HTML is read as a web page, PDF and Word files as documents, the rest as text",
)
INPUT_FORMATS.register("text", "text")
INPUT_FORMATS.register("html", "html")
INPUT_FORMATS.register("pdf", "pdf", help="a PDF document")
INPUT_FORMATS.register("docx", "docx", help="a Word (.docx) document")
INPUT_FORMATS.register(
    "feed", "feed", help="an RSS, Atom or sitemap file or URL: the articles it links (auto too)"
)
INPUT_FORMATS.register(
    "jsonl", "jsonl", help='one {"id", "text"|"html"|"url"|"path"} object a line: batch mode'
)
Meta = dict[str, str | None]
# The caller's "this is what we wait for" hook (the CLI's spinner), e.g. ``Environment.status``.
Status = Callable[[str], AbstractContextManager[Any]]


@dataclass(frozen=True)
class Record:
    """One input document.

    ``id`` is None for a single plain-text input, the argument as given (path, or ``-``) when
    several text inputs are given, and for JSONL the record's ``"id"`` (default: its line number),
    kept as parsed. ``source`` is the display name of the input (``<stdin>`` or the path).
    A feed's articles have their URL as id and ``feed`` set to the feed's name.
    ``error`` set means this record could not be read; ``text`` is then empty. ``meta`` is the
    page's metadata (url, title, date, author, site) when the record came from HTML, or the
    document's (title, date, author, and what was set apart, e.g. header, footer) for a PDF or
    Word file.
    """

    id: Any
    text: str
    source: str
    error: TranslateCliError | None = None
    meta: Meta | None = None
    feed: str | None = None  # the feed or sitemap that listed it: one record of several


@dataclass(frozen=True)
class Fetching:
    """How URL inputs are fetched: ``timeout`` for each whole download; whether a public page
    may redirect to a private address; ``status``, shown while waiting (named by the host).
    And ``ocr``: whether scanned PDF pages, fetched or not, are read with OCR."""

    timeout: float = DEFAULT_TIMEOUT
    allow_private_redirects: bool = False
    status: Status | None = None
    ocr: bool = False

    def fetch(self, url: str) -> Page:
        from translate_cli.web import fetch

        waiting = self.status(f"Fetching {_host(url)}…") if self.status else nullcontext()
        with waiting:
            return fetch(
                url, timeout=self.timeout, allow_private_redirects=self.allow_private_redirects
            )


def _host(url: str) -> str:
    """The host (and port) of ``url``, fit to be shown: no credentials."""
    shown = safe_url(url)
    try:
        return urlsplit(shown).netloc or shown
    except ValueError:
        return shown


def _stdin_stream(stdin: BinaryIO | None) -> BinaryIO:
    return stdin if stdin is not None else sys.stdin.buffer


def _isatty(stream: BinaryIO) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):
        return False


def check_inputs(sources: Sequence[str], stdin: BinaryIO | None = None) -> None:
    """Fail early: every named path must exist and be readable; ``-`` at most once.

    No arguments means standard input, which must then not be a terminal. Raises ``UsageError``
    (exit 2) for the command-line mistakes and ``InputError`` (exit 4) for a file that cannot be
    read. Whether the contents are text is only known when the file is read.
    """
    if not sources:
        if _isatty(_stdin_stream(stdin)):
            raise UsageError(NO_INPUT)
        return
    if sum(1 for source in sources if source == "-") > 1:
        raise UsageError("'-' (standard input) can be given only once")
    for source in sources:
        if url_scheme(source) is not None:
            check_url(source)  # http(s) only; file:// and the rest are refused, exit 4
        elif source != "-":
            _check_readable(source)


def _check_readable(source: str) -> None:
    if source == "":
        raise InputError("'': empty file name")
    try:
        info = os.stat(source)
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except NotADirectoryError:
        raise InputError(f"{source}: no such file (a part of the path is not a folder)") from None
    except OSError as error:
        raise InputError(f"{source}: cannot read ({error.strerror or error})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{source}: is a directory, not a text file")
    if stat.S_ISREG(info.st_mode):
        # Opening is the only reliable test (ACLs, root, network file systems); it is cheap.
        try:
            os.close(os.open(source, os.O_RDONLY | os.O_CLOEXEC))
        except OSError as error:
            raise InputError(f"{source}: cannot read ({error.strerror or error})") from None
    elif not os.access(source, os.R_OK):
        # A FIFO or device: opening it could block or consume data, so only ask.
        raise InputError(f"{source}: cannot read (permission denied)")


def read_input_bytes(source: str | None, stdin: BinaryIO | None = None) -> tuple[str, bytes]:
    """Return ``(display name, bytes)`` of a path, or of stdin for ``-``/None."""
    if source is None or source == "-":
        stream = _stdin_stream(stdin)
        if source is None and _isatty(stream):
            raise UsageError(NO_INPUT)
        return STDIN_NAME, stream.read()
    path = Path(source)
    try:
        return source, path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{source}: is a directory, not a text file") from None
    except OSError as error:
        raise InputError(f"{source}: cannot read ({error.strerror or error})") from None


def _check_bytes(data: bytes, name: str, start: int, base: int) -> str:
    """Decode ``data[start:]``; offsets in messages are ``base`` + the offset in ``data``."""
    nul = data.find(b"\x00", start)
    if nul != -1:
        raise InputError(
            f"{name}: looks binary (NUL byte at byte offset {base + nul}); expected text"
        )
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: not valid UTF-8 at byte offset {base + start + error.start}",
            hint="convert it first, e.g. iconv -f latin1 -t utf-8",
        ) from None


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (BOM optional) to text with LF line ends; binary or bad bytes are exit 4."""
    return _newlines(_check_bytes(data, name, 3 if data.startswith(_BOM) else 0, 0))


def _stream_lines(stream: BinaryIO, name: str) -> Iterator[str]:
    """The lines of ``decode_text(stream.read()).split("\\n")``, read as they arrive.

    Standard input is read line by line so that a slow producer (``tail -f``, a crawler) gets
    each record processed as soon as its line is complete. Bad bytes still raise ``InputError``,
    when they are reached.
    """
    offset = 0
    for raw in iter(stream.readline, b""):
        start = 3 if offset == 0 and raw.startswith(_BOM) else 0
        text = _newlines(_check_bytes(raw, name, start, offset))
        offset += len(raw)
        pieces = text.split("\n")
        if text.endswith("\n"):
            pieces.pop()
        yield from pieces


def read_records(
    sources: Sequence[str],
    input_format: str,
    stdin: BinaryIO | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    allow_private_redirects: bool = False,
    status: Status | None = None,
    ocr: bool = False,
) -> Iterator[Record]:
    """Check all inputs now, then yield their documents: one per file or URL, one per JSONL line.

    ``sources`` are the INPUT arguments (``-`` is standard input; none means standard input when
    it is not a terminal; ``http(s)://`` is fetched, waiting at most ``timeout`` seconds, under
    ``status(label)`` when given, and refusing a redirect from a public address to a private one
    unless ``allow_private_redirects``; ``ocr``: read scanned PDFs with OCR). The checks of
    ``check_inputs`` run when this is called, before the first record; a text file that turns
    out binary or undecodable raises ``InputError`` when reached, while a URL, page or document
    that cannot be read becomes a record with an ``error``. A URL's id and name never hold its
    credentials.
    """
    input_format = INPUT_FORMATS.check(input_format)
    check_inputs(sources, stdin)
    fetching = Fetching(timeout, allow_private_redirects, status, ocr)
    return _records(list(sources) or ["-"], len(sources) > 1, input_format, stdin, fetching)


def _records(
    sources: list[str],
    several: bool,
    input_format: str,
    stdin: BinaryIO | None,
    fetching: Fetching,
) -> Iterator[Record]:
    for source in sources:
        # A URL's id is its name: no user or password.
        record_id = (
            (safe_url(source, query=True) if is_url(source) else source) if several else None
        )
        if input_format != "jsonl":
            if is_url(source):
                yield from _url_records(record_id, source, input_format, fetching)
                continue
            name, data = read_input_bytes(source, stdin)
            if _is_feed(data, input_format):
                yield from _feed_records(name, data, None, fetching)
            else:
                yield _bytes_record(record_id, name, data, input_format, fetching.ocr)
            continue
        lines: Iterable[str]
        base: str | None = "."  # where a record's relative "path" is; None: no "path" at all
        if is_url(source):
            fetched = _fetch_text(source, fetching)
            if isinstance(fetched, Record):
                yield fetched
                continue
            name, lines, base = safe_url(source, query=True), fetched.split("\n"), None
        elif source == "-":
            name, lines = STDIN_NAME, _stream_lines(_stdin_stream(stdin), STDIN_NAME)
        else:
            name, data = read_input_bytes(source, stdin)
            lines = decode_text(data, name).split("\n")
            base = os.path.dirname(source) or "."
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield _parse_record(line, name, number, fetching, base=base)


def document_kind(data: bytes, input_format: str, media_type: str = "") -> str | None:
    """The document kind to read ``data`` as: forced by ``input_format``, else (``auto``) by
    the media type a server declared or by the bytes; None for anything not a document."""
    if input_format in DOCUMENTS:
        return input_format
    if input_format != "auto":
        return None
    return MEDIA_TYPES.get(media_type) or sniff(data)


def read_source(
    source: str | None,
    stdin: BinaryIO | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    allow_private_redirects: bool = False,
    status: Status | None = None,
) -> tuple[str, bytes, str]:
    """``(name, bytes, media type)`` of one input as it is (a path, ``-``/None for stdin, or a
    URL, fetched): for writing a translated copy of a document. The media type is the server's
    ("" for a file)."""
    if source is not None and is_url(source):
        page = Fetching(timeout, allow_private_redirects, status).fetch(source)
        return safe_url(source, query=True), page.data, page.content_type
    name, data = read_input_bytes(source, stdin)
    return name, data, ""


def _document_record(
    record_id: Any, name: str, data: bytes, kind: str, ocr: bool, *, url: str | None = None
) -> Record:
    """A document's article as a record (the title as paragraph 0, then the body); or its
    error."""
    try:
        article = read_document(data, kind, name=name, ocr=ocr)
    except InputError as error:
        return Record(record_id, "", name, error)
    meta = article.meta if url is None else {**article.meta, "url": url}
    return Record(record_id, article.text, name, meta=meta)


def _bytes_record(record_id: Any, name: str, data: bytes, input_format: str, ocr: bool) -> Record:
    """A file's (or stdin's) record: a document, a web page or text, as ``input_format`` says
    or, for ``auto``, as the bytes show. Text that is not text raises ``InputError``."""
    kind = document_kind(data, input_format)
    if kind is not None:
        return _document_record(record_id, name, data, kind, ocr)
    if input_format == "html" or (input_format == "auto" and looks_like_html(data)):
        return _html_record(record_id, name, data)
    return Record(record_id, decode_text(data, name), name)


def _html_record(
    record_id: Any, name: str, data: bytes, *, url: str | None = None, charset: str | None = None
) -> Record:
    """A page's article as a record: the title as paragraph 0, then the body; or its error."""
    from translate_cli.web import article_from_bytes

    try:
        article = article_from_bytes(data, url, charset, name=name)
    except InputError as error:
        return Record(record_id, "", name, error)
    return Record(record_id, article.text, name, meta=article.meta)


def _is_feed(data: bytes, input_format: str) -> bool:
    """Whether ``data`` is read as a feed or sitemap: asked for, or (``auto``) recognised."""
    from translate_cli.web.feeds import feed_kind

    return input_format == "feed" or (input_format == "auto" and feed_kind(data) is not None)


def feed_links(name: str, data: bytes, url: str | None, fetching: Fetching) -> list[FeedItem]:
    """The articles a feed or sitemap (``data``, fetched from ``url`` or read from the file
    ``name``) links, each story once; the sitemaps an index names are fetched. A feed at a
    public address may not send us to a private one (as a redirect may not) unless
    ``allow_private_redirects``: those links are left out. ``FeedError`` when it is not
    readable."""
    from translate_cli.web.feeds import feed_items
    from translate_cli.web.network import leaves_the_internet

    def allowed(link: str) -> bool:
        return url is None or fetching.allow_private_redirects or not leaves_the_internet(url, link)

    def read(link: str) -> bytes:
        if not allowed(link):
            raise InputError(f"{name}: names a sitemap at a private address; not read")
        return fetching.fetch(link).data

    return [item for item in feed_items(data, url, read, name=name) if allowed(item.url)]


def _feed_records(name: str, data: bytes, url: str | None, fetching: Fetching) -> Iterator[Record]:
    """One record per article the feed links (its id: the article's URL), fetched in turn; a
    feed that cannot be read is one error record."""
    try:
        items = feed_links(name, data, url, fetching)
    except InputError as error:
        yield Record(name, "", name, error, feed=name)
        return
    for item in items:
        record = read_link(safe_url(item.url, query=True), item.url, fetching, item.outlet)
        yield replace(record, feed=name)


def _url_records(
    record_id: Any, url: str, input_format: str, fetching: Fetching
) -> Iterator[Record]:
    """A URL's record, or for a feed or sitemap the records of the articles it links."""
    name = safe_url(url, query=True)
    try:
        page = fetching.fetch(url)
    except InputError as error:
        yield Record(record_id, "", name, error)
        return
    if _is_feed(page.data, input_format):
        yield from _feed_records(name, page.data, url, fetching)
    else:
        yield _page_record(record_id, page, input_format, fetching, name=name)


def read_link(record_id: Any, url: str, fetching: Fetching, outlet: str = "") -> Record:
    """The article at ``url`` (a link a feed gave) as a record with ``record_id``; never
    raises: a page that cannot be fetched or read is the record's ``error``. ``outlet`` (the
    feed's name for its publisher) is the page's ``site`` when the page names none (or only
    its host, which is what the extractor falls back to)."""
    record = _url_record(record_id, url, "auto", fetching)
    if outlet and record.meta is not None and _unnamed(record.meta):
        return replace(record, meta={**record.meta, "site": outlet})
    return record


def _unnamed(meta: Meta) -> bool:
    site = (meta.get("site") or "").lower().removeprefix("www.")
    try:
        parts = urlsplit(meta.get("url") or "")
        hosts = {parts.netloc.lower(), (parts.hostname or "").lower()}
    except ValueError:
        hosts = set()
    return not site or site in {host.removeprefix("www.") for host in hosts}


def _url_record(record_id: Any, url: str, input_format: str, fetching: Fetching) -> Record:
    """A fetched page: a document (PDF, Word: by Content-Type or by its bytes) is read, HTML
    (likewise) extracted, text read as is."""
    name = safe_url(url, query=True)  # the page's name: ?id=1 is not ?id=2
    try:
        page = fetching.fetch(url)
    except InputError as error:
        return Record(record_id, "", name, error)
    return _page_record(record_id, page, input_format, fetching, name=name)


def _page_record(
    record_id: Any, page: Page, input_format: str, fetching: Fetching, *, name: str = ""
) -> Record:
    """A fetched page read as ``input_format`` says (``auto``: by its media type and bytes)."""
    from translate_cli.web import decode_page

    name = name or page.url
    kind = document_kind(page.data, input_format, page.content_type)
    if kind is not None:
        return _document_record(record_id, name, page.data, kind, fetching.ocr, url=page.url)
    html_type = page.content_type in ("text/html", "application/xhtml+xml")
    if input_format == "html" or (
        input_format == "auto" and (html_type or looks_like_html(page.data))
    ):
        return _html_record(record_id, name, page.data, url=page.url, charset=page.charset)
    if b"\x00" in page.data[:8192]:
        type_ = page.content_type or "no Content-Type"
        return Record(record_id, "", name, InputError(f"{name}: not text ({type_})"))
    try:
        text, _ = decode_page(page.data, page.charset, name=name)
    except InputError as error:  # a charset no browser decodes
        return Record(record_id, "", name, error)
    return Record(record_id, _newlines(text), name)


def _fetch_text(url: str, fetching: Fetching) -> str | Record:
    """A URL's body as text (for a JSONL batch at a URL), or an error record."""
    from translate_cli.web import decode_page

    name = safe_url(url, query=True)
    try:
        page = fetching.fetch(url)
        text, _ = decode_page(page.data, page.charset, name=name)
    except InputError as error:
        return Record(None, "", name, error)
    return _newlines(text)


def _path_record(record_id: Any, path: str, ocr: bool) -> Record:
    """A JSONL record's ``"path"``: the file, read as a file argument is; or its error."""
    try:
        _check_readable(path)
        name, data = read_input_bytes(path)
        return _bytes_record(record_id, name, data, "auto", ocr)
    except InputError as error:
        return Record(record_id, "", path, error)


def _non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_non_finite(item) for item in value.values())
    if isinstance(value, list):
        return any(_non_finite(item) for item in value)
    return False


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    return False


def parse_record(
    line: str,
    name: str,
    number: int,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    fetch: bool = True,
    allow_private_redirects: bool = False,
    ocr: bool = False,
    base: str | None = ".",
) -> Record:
    """One JSONL line to a ``Record``; never raises: problems become ``Record.error``.

    The object carries ``"text"``, or ``"html"`` (a page, whose article is extracted), or
    ``"url"`` (fetched, then read as a URL argument is), or ``"path"`` (a local file, read as a
    file argument is: a document, a page or text; relative to ``base``, the folder of the JSONL
    file; ``base=None`` refuses it, for lines that came from a URL). With ``fetch=False`` a
    ``"url"`` or ``"path"`` is not read: the record comes back with its id and no text.
    """
    fetching = Fetching(timeout, allow_private_redirects, ocr=ocr)
    return _parse_record(line, name, number, fetching, fetch, base=base)


def _parse_record(
    line: str,
    name: str,
    number: int,
    fetching: Fetching,
    fetch: bool = True,
    *,
    base: str | None = ".",
) -> Record:

    def failed(message: str, record_id: Any = number) -> Record:
        return Record(record_id, "", name, InputError(f"{name}: line {number}: {message}"))

    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        return failed(f"not valid JSON ({error.msg} at column {error.colno})")
    except RecursionError:
        return failed("not valid JSON (nested too deeply)")
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        return failed(f"not valid JSON ({error})")
    if not isinstance(value, dict):
        return failed('expected a JSON object with a "text" string')
    record_id = value.get("id", number)
    if _non_finite(record_id):
        return failed("non-finite id (NaN and Infinity are not valid JSON numbers)")
    if _has_surrogate(record_id):
        return failed("the id contains a lone surrogate (\\ud800-\\udfff), not valid Unicode")
    text = value.get("text")
    if text is None and isinstance(value.get("html"), str):
        if _has_surrogate(value["html"]):
            return failed('the "html" contains a lone surrogate, not valid Unicode', record_id)
        page = _html_record(record_id, f"{name}: line {number}", value["html"].encode("utf-8"))
        return replace(page, source=name)
    if text is None and isinstance(value.get("url"), str):
        url = value["url"]
        if url_scheme(url) not in ("http", "https"):
            shown = safe_url(url, query=True)  # never a user or password
            return failed(f'"url" must be an http:// or https:// URL, got {shown!r}', record_id)
        if not fetch:  # the caller parses the line again to fetch it, if it still needs it
            return Record(record_id, "", name)
        fetched = _url_record(record_id, url, "auto", fetching)
        if fetched.error is not None:
            message = f"{name}: line {number}: {fetched.error.message}"
            return replace(fetched, source=name, error=InputError(message))
        return replace(fetched, source=name)
    if text is None and isinstance(value.get("path"), str):
        if base is None:
            return failed('"path" is not read in records fetched from a URL', record_id)
        if not fetch:
            return Record(record_id, "", name)
        read = _path_record(record_id, os.path.join(base, value["path"]), fetching.ocr)
        if read.error is not None:
            message = f"{name}: line {number}: {read.error.message}"
            return replace(read, source=name, error=InputError(message))
        return replace(read, source=name)
    if not isinstance(text, str):
        return failed('expected a JSON object with a "text" string', record_id)
    if _has_surrogate(text):
        return failed(
            'the "text" contains a lone surrogate (\\ud800-\\udfff), not valid Unicode', record_id
        )
    return Record(record_id, text, name)

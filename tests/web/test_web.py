"""Web pages as input: sniffing, charsets, extraction, fetching (loopback only) and the CLI.

Every HTTP request goes to a server on 127.0.0.1 that the test starts (tests/web_server.py);
the pages are built from our own short paragraphs in six news-site layouts (tests/web_pages.py).
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import re
import socket
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import EXAMPLE, invoke, jsonl
from tests.web.pages import LAYOUTS, build_page
from tests.web.server import Response, Server, nested_gzip, serve
from translate_cli import Pipeline
from translate_cli.config import Settings, resolve_settings
from translate_cli.errors import InputError
from translate_cli.inputs import read_records
from translate_cli.web import (
    MAX_BYTES,
    Article,
    FetchError,
    decode_page,
    fetch,
    looks_like_html,
    network,
    read_article,
    safe_url,
)
from translate_cli.web.extract import extract_article, is_boilerplate_line
from translate_cli.web.inflate import STEP, decoded, encodings
from translate_cli.web.network import (
    Limits,
    NetworkError,
    Trouble,
    exchange,
    is_public_address,
    leaves_the_internet,
)

TITLE = "Warga Bantaran Kali Ciliwung Mulai Direlokasi ke Rusunawa Pekan Depan"
PARAGRAPHS = [
    "JAKARTA, Warta Kota - Pemerintah Provinsi DKI Jakarta akan merelokasi 120 kepala "
    "keluarga dari bantaran Kali Ciliwung ke rumah susun sewa pada pekan depan.",
    "Kepala Dinas Perumahan, Sarwo Edi, mengatakan seluruh unit sudah siap dihuni dan "
    "dilengkapi air bersih serta listrik. “Kami ingin warga pindah dengan tenang,” ujarnya.",
    "Relokasi itu merupakan bagian dari program normalisasi sungai yang tertunda sejak 2019 "
    "karena persoalan pembebasan lahan & ganti rugi.",
    "Sebagian warga masih keberatan karena lokasi rusunawa jauh dari tempat mereka bekerja. "
    "Mereka meminta pemerintah menyediakan bus pengumpan gratis.",
    "Menurut data kelurahan, banjir di kawasan itu merendam lebih dari 300 rumah sepanjang "
    "musim hujan tahun lalu, dengan ketinggian air mencapai dua meter.",
    "Pemerintah berjanji akan memantau kondisi warga selama enam bulan pertama setelah pindah "
    "dan membuka posko pengaduan di setiap menara.",
]
RELATED = ["Harga Cabai Rawit Tembus Rp 90.000 per Kilogram", "Jalan Tol Baru Dibuka Jumat Ini"]


def _page(layout: str, **options: bool) -> tuple[bytes, list[str]]:
    page = build_page(layout, TITLE, PARAGRAPHS, related=RELATED, **options)
    return page.data, page.boilerplate


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy in the developer's environment must not see the loopback requests."""
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def site() -> Iterator[Server]:
    kompas, _ = _page("kompas")
    antara, _ = _page("antara")
    antara_bare, _ = _page("antara", meta_charset=False)
    html = {"Content-Type": "text/html; charset=utf-8"}
    routes = {
        "/kompas": Response(kompas, headers=html),
        "/gzip": Response(kompas, headers=html, gzip=True),
        "/1252-header": Response(
            antara, headers={"Content-Type": "text/html; charset=windows-1252"}
        ),
        "/1252-bare": Response(antara_bare, headers={"Content-Type": "text/html"}),
        "/text": Response(
            EXAMPLE.read_bytes(), headers={"Content-Type": "text/plain; charset=utf-8"}
        ),
        "/r1": Response(status=301, headers={"Location": "/r2"}),
        "/r2": Response(status=302, headers={"Location": "/kompas"}),
        "/loop": Response(status=302, headers={"Location": "/loop"}),
        "/to-file": Response(status=302, headers={"Location": "file:///etc/passwd"}),
        "/500": Response(b"oops", 500, headers={"Content-Type": "text/plain"}),
        "/slow": Response(kompas, headers=html, delay=1.5),
        "/big": Response(b"<html><body>" + b"a" * (21 * 1024 * 1024), headers=html),
        "/big-chunked": Response(b"<p>" + b"kata " * 5_000_000, headers=html, chunked=True),
        "/png": Response(
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, headers={"Content-Type": "image/png"}
        ),
        "/zip": Response(b"PK\x03\x04", headers={"Content-Type": "application/zip"}),
        "/empty": Response(
            b"<html><head><title>Kosong</title></head><body><nav><a href='/'>Beranda</a></nav>"
            b"</body></html>",
            headers=html,
        ),
    }
    with serve(routes) as server:
        yield server


# --- sniffing and charsets ------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><body>x</body></html>",
        b"\xef\xbb\xbf\n  <html lang='id'>",
        b"<HTML>",
        b"<!-- saved page -->\n<html>",
        b"<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'>",
        b"<p>Satu paragraf.</p>",
        "<html>".encode("utf-16"),
    ],
)
def test_html_is_recognised(data: bytes) -> None:
    assert looks_like_html(data)


@pytest.mark.parametrize(
    "data",
    [
        EXAMPLE.read_bytes(),
        b"<3 aku suka berita ini.",
        b'{"id": 1, "html": "<html>"}',
        b"Harga <b> naik",  # a tag later in the text does not make it a page
        b"",
    ],
)
def test_text_is_not_html(data: bytes) -> None:
    assert not looks_like_html(data)


def test_charset_header_then_meta_then_detection() -> None:
    text = "Kafé “Bintang” buka pukul 08.00 – tutup larut."
    data = text.encode("cp1252")
    assert decode_page(data, "windows-1252")[0] == text
    assert decode_page(data, "ISO-8859-1")[0] == text  # the label browsers read as windows-1252
    assert decode_page(b'<meta charset="windows-1252">' + data)[0].endswith(text)
    assert decode_page(data)[0] == text  # no declaration: not UTF-8, so detected
    assert decode_page(data, "utf-8")[0] == text  # a declaration the bytes contradict
    assert decode_page(text.encode("utf-8"), None) == (text, "utf-8")
    assert decode_page(text.encode("utf-8"), "iso-8859-1")[0] == text  # mislabelled UTF-8
    assert decode_page(b"\xef\xbb\xbf" + text.encode("utf-8"), "windows-1252")[0] == text


# --- extraction -----------------------------------------------------------------------------
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_layout_gives_the_article_and_nothing_else(layout: str) -> None:
    data, boilerplate = _page(layout)
    article = read_article(data)
    assert article.title == TITLE
    assert list(article.paragraphs) == PARAGRAPHS, "\n".join(article.paragraphs)
    text = article.text
    assert text.startswith(TITLE + "\n\n")
    leaks = [
        b
        for b in boilerplate
        if len(_words(b)) >= 2 and " ".join(_words(b)) in " ".join(_words(text))
    ]
    assert leaks == []
    assert article.date == "2024-03-14"
    assert article.author == "Rina Wulandari"
    assert article.site


def test_entities_and_br_paragraphs_are_decoded() -> None:
    article = read_article(_page("tribun")[0])
    assert "“Kami ingin warga pindah dengan tenang,” ujarnya." in article.paragraphs[1]
    assert "pembebasan lahan & ganti rugi" in article.paragraphs[2]


@pytest.mark.parametrize(
    "line",
    [
        "Baca juga: Harga Cabai Naik Jelang Ramadhan",
        "Foto: ANTARA/Muhammad Iqbal",
        "Penulis: Rina Wulandari | Editor: Hasanudin Aco",
        "Laporan Wartawan Tribunnews.com, Rina Wulandari",
        "ADVERTISEMENT",
        "SCROLL TO CONTINUE WITH CONTENT",
        "COPYRIGHT © ANTARA 2024",
        "Copyright 2008 - 2024 PT. Kompas Cyber Media. All Rights Reserved.",
        "Simak berita dan artikel lainnya di Google News",
        "(aik/aik)",
    ],
)
def test_indonesian_boilerplate_lines(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize("line", PARAGRAPHS)
def test_article_paragraphs_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate_line(line)


def test_a_page_without_an_article_is_exit_4() -> None:
    with pytest.raises(InputError, match="no article text"):
        extract_article("<html><body><nav>Beranda</nav></body></html>", name="kosong.html")


# --- fetching -------------------------------------------------------------------------------
def test_fetch_follows_redirects_and_names_itself(site: Server) -> None:
    article = read_article(site.url("/r1"))
    assert article.url == site.url("/kompas")
    assert list(article.paragraphs) == PARAGRAPHS
    agent = site.requests[-1]["user-agent"]
    assert agent.startswith("translate-cli/")
    assert "gzip" in site.requests[-1]["accept-encoding"]


def test_gzip_is_decompressed(site: Server) -> None:
    assert read_article(site.url("/gzip")).paragraphs == tuple(PARAGRAPHS)


@pytest.mark.parametrize("path", ["/1252-header", "/1252-bare"])
def test_windows_1252_with_and_without_a_charset(site: Server, path: str) -> None:
    article = read_article(site.url(path))
    assert list(article.paragraphs) == PARAGRAPHS
    assert "\ufffd" not in article.text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "HTTP 404 Not Found"),
        ("/500", "HTTP 500 Internal Server Error"),
        ("/loop", "more than 10 redirects"),
        ("/to-file", "not http:// or https://"),
        ("/png", "not a web page or text (image/png)"),
        ("/zip", "not a web page or text (application/zip)"),
        ("/big", "larger than the 20 MB limit"),
        ("/big-chunked", "larger than the 20 MB limit"),
    ],
)
def test_fetch_errors_name_what_happened(site: Server, path: str, message: str) -> None:
    with pytest.raises(FetchError, match=re.escape(message)) as caught:
        fetch(site.url(path))
    assert caught.value.exit_status == 4


def test_slow_page_times_out(site: Server) -> None:
    with pytest.raises(FetchError, match=r"no answer within 0\.3 s \(timeout\)"):
        fetch(site.url("/slow"), timeout=0.3)


def test_refused_connection_says_so_and_that_files_work_offline() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(
        FetchError, match=r"connection refused by 127\.0\.0\.1 — translate-cli works offline"
    ):
        fetch(f"http://127.0.0.1:{port}/")


def test_dns_failure_is_named() -> None:
    import httpx

    def fail(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as error:
            raise httpx.ConnectError(str(error), request=request) from error

    with pytest.raises(FetchError, match=r"DNS lookup failed for example\.invalid — translate-cli"):
        fetch("https://example.invalid/berita", transport=httpx.MockTransport(fail))


def test_credentials_in_a_url_never_appear_in_messages(site: Server) -> None:
    url = site.url("/missing").replace("http://", "http://budi:rahasia@")
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert "rahasia" not in caught.value.message and "budi" not in caught.value.message
    assert "HTTP 404" in caught.value.message


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://x/"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(FetchError, match="only http:// and https://"):
        fetch(url)


def test_gzip_bomb_stops_at_the_decompressed_cap(site: Server) -> None:
    bomb = b"<html><body>" + b"\0" * (MAX_BYTES + 1024)
    site.routes["/bomb"] = Response(bomb, headers={"Content-Type": "text/html"}, gzip=True)
    with pytest.raises(FetchError, match="larger than the 20 MB limit"):
        fetch(site.url("/bomb"))


@pytest.fixture(scope="module")
def double_gzip_bomb() -> bytes:
    return nested_gzip(512 << 20, layers=2)  # 512 MiB of zeros in under 1 KB


def test_a_double_gzip_bomb_stops_at_the_cap_as_it_is_decoded(
    site: Server, double_gzip_bomb: bytes
) -> None:
    encoded = {"Content-Type": "text/html", "Content-Encoding": "gzip, gzip"}
    site.routes["/bomb2"] = Response(double_gzip_bomb, headers=encoded)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="larger than the 20 MB limit"):
            fetch(site.url("/bomb2"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20  # the cap and a few steps, not the 512 MiB inside


# The command in a child process that writes its own peak memory (VmHWM: this process's
# alone; ru_maxrss of a child also counts the parent it was forked from) to argv[1].
_PEAK_MEMORY = """
import atexit, runpy, sys
report = sys.argv.pop(1)

def peak():
    with open("/proc/self/status") as status, open(report, "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM:")).split()[1])

atexit.register(peak)
runpy.run_module("translate_cli", run_name="__main__")
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_a_double_gzip_bomb_on_the_command_line_is_exit_4_in_bounded_memory(
    site: Server, double_gzip_bomb: bytes, tmp_path: Path
) -> None:
    encoded = {"Content-Type": "text/html", "Content-Encoding": "gzip, gzip"}
    site.routes["/bomb2"] = Response(double_gzip_bomb, headers=encoded)
    report = tmp_path / "peak"
    child = subprocess.run(
        [sys.executable, "-c", _PEAK_MEMORY, str(report), "extract", site.url("/bomb2")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 4, child.stderr
    assert child.stderr == (
        f"translate-cli: error: {site.url('/bomb2')}: larger than the 20 MB limit\n"
    )
    peak = int(report.read_text()) * 1024
    assert peak < 300 * 2**20, f"peak memory {peak >> 20} MiB"  # not the 512 MiB inside


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("br", "an encoding not asked for (br)"),
        ("gzip, gzip, gzip", "compressed 3 times over"),
        ("gzip", "bad compressed data"),
    ],
)
def test_bodies_that_cannot_be_decoded_are_refused(
    site: Server, encoding: str, message: str
) -> None:
    site.routes["/odd"] = Response(b"<p>tidak</p>", headers={"Content-Encoding": encoding})
    with pytest.raises(FetchError, match=re.escape(message)) as caught:
        fetch(site.url("/odd"))
    assert caught.value.exit_status == 4


@pytest.mark.parametrize("layers", [["gzip"], ["deflate"], ["deflate", "gzip"], []])
def test_each_encoding_layer_is_undone_a_step_at_a_time(layers: list[str]) -> None:
    text = bytes(range(256)) * 2000 + b"\0" * (1 << 20)
    body = text
    for name in layers:
        body = gzip.compress(body) if name == "gzip" else zlib.compress(body)
    pieces = list(decoded([body[i : i + 1000] for i in range(0, len(body), 1000)], layers))
    assert b"".join(pieces) == text
    if layers:
        assert max(map(len, pieces)) <= STEP
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)  # "deflate" sent unwrapped
    assert b"".join(decoded([raw.compress(text) + raw.flush()], ["deflate"])) == text
    assert encodings(" identity , GZIP") == ["gzip"]


def test_query_names_the_page_but_stays_out_of_messages(site: Server) -> None:
    page = fetch(site.url("/kompas?id=7#top"))
    assert page.url == site.url("/kompas?id=7")
    with pytest.raises(FetchError) as caught:
        fetch(site.url("/missing?token=t0ps3cr3t"))
    assert caught.value.message == f"{site.url('/missing')}: HTTP 404 Not Found"


@pytest.mark.parametrize(
    ("url", "shown", "named"),
    [
        ("https://u:p@h:1/a/b?k=v#f", "https://h:1/a/b", "https://h:1/a/b?k=v"),
        ("http://h/?x=a@b", "http://h/", "http://h/?x=a@b"),  # an @ in the query: no user
        ("http://u:p?s#w@h/x?y", "http://h/x", "http://h/x?y"),  # a ? or # in the password
        ("http://h/a@b", "http://h/a@b", "http://h/a@b"),  # nor in the path
        (" u:p@h:8080 ", "h:8080", "h:8080"),
        ("http://u:p@[::1/v1", "http://[::1/v1", "http://[::1/v1"),  # unparseable, still safe
        ("http://h/\x1b[2J", "http://h/ [2J", "http://h/ [2J"),
    ],
)
def test_safe_url(url: str, shown: str, named: str) -> None:
    assert safe_url(url) == shown
    assert safe_url(url, query=True) == named


def test_credentials_never_cross_to_another_origin(site: Server) -> None:
    with serve(
        {"/page": Response(b"<p>Halo.</p>", headers={"Content-Type": "text/html"})}
    ) as other:
        site.routes["/away"] = Response(status=302, headers={"Location": other.url("/page")})
        site.routes["/here"] = Response(status=307, headers={"Location": "/kompas"})
        fetch(site.url("/away").replace("http://", "http://budi:rahasia@"))
        assert "authorization" in site.requests[-1]
        assert "authorization" not in other.requests[-1]

        limits = Limits(timeout=5, max_bytes=MAX_BYTES, max_redirects=3)
        bearer = {"Authorization": "Bearer sk-rahasia"}
        with exchange("GET", site.url("/away"), limits, headers=bearer) as reply:
            assert reply.status == 200
        assert site.requests[-1]["authorization"] == "Bearer sk-rahasia"
        assert "authorization" not in other.requests[-1]
        with exchange("GET", site.url("/here"), limits, headers=bearer) as reply:
            assert reply.status == 200
        assert site.requests[-1]["path"] == "/kompas"
        assert site.requests[-1]["authorization"] == "Bearer sk-rahasia"  # same origin


def test_redirect_to_another_origin_is_refused_when_asked(site: Server) -> None:
    with serve({}) as other:
        site.routes["/away"] = Response(status=307, headers={"Location": other.url("/x")})
        limits = Limits(timeout=5, max_bytes=100, max_redirects=3, same_origin=True)
        with pytest.raises(NetworkError) as caught, exchange("GET", site.url("/away"), limits):
            pass
    assert caught.value.trouble is Trouble.REDIRECT_TO_OTHER_ORIGIN
    assert (caught.value.status, caught.value.target) == (307, other.url("/x"))
    assert other.requests == []


# --- the command line -----------------------------------------------------------------------
def test_segment_a_url_title_first(site: Server) -> None:
    result = invoke("segment", site.url("/kompas"), "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["sentences"][0] == {"paragraph": 0, "index": 0, "source": TITLE}
    assert data["meta"] == {
        "url": site.url("/kompas"),
        "title": TITLE,
        "date": "2024-03-14",
        "author": "Rina Wulandari",
        "site": "KOMPAS.com",
    }


def test_html_file_and_stdin_read_as_pages(tmp_path: Path) -> None:
    data, _ = _page("detik")
    path = tmp_path / "berita.html"
    path.write_bytes(data)
    by_file = invoke("summarize", str(path), "--no-translate", "-f", "json")
    by_stdin = invoke("summarize", "--no-translate", "-f", "json", input=data)
    assert by_file.exit_code == by_stdin.exit_code == 0, by_file.stderr + by_stdin.stderr
    report = json.loads(by_file.stdout)
    assert json.loads(by_stdin.stdout) == report
    assert "<" not in " ".join(s["source"] for s in report["sentences"])
    assert report["meta"]["url"] is None and report["meta"]["title"] == TITLE


def test_text_input_is_unchanged_by_auto(tmp_path: Path) -> None:
    for args in ([str(EXAMPLE)], ["-"]):
        stdin = EXAMPLE.read_bytes() if args == ["-"] else None
        auto = invoke("segment", *args, "-f", "json", input=stdin)
        text = invoke("segment", *args, "-f", "json", "--input-format", "text", input=stdin)
        assert auto.exit_code == 0 and auto.stdout == text.stdout
        assert "meta" not in json.loads(auto.stdout)


def test_text_and_markdown_headers_show_the_source(site: Server) -> None:
    text = invoke("summarize", site.url("/kompas"), "--no-translate").stdout
    assert text.startswith(f"Source: {site.url('/kompas')} (KOMPAS.com)\n")
    assert "Date: 2024-03-14 · Author: Rina Wulandari" in text
    markdown = invoke("summarize", site.url("/kompas"), "--no-translate", "-f", "markdown").stdout
    assert markdown.startswith(f"> [KOMPAS.com](<{site.url('/kompas')}>) · 2024-03-14 · ")


def test_extract_prints_the_clean_article(site: Server) -> None:
    result = invoke("extract", site.url("/1252-bare"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "\n\n".join([TITLE, *PARAGRAPHS]) + "\n"
    data = json.loads(invoke("extract", site.url("/kompas"), "-f", "json").stdout)
    assert data["paragraphs"] == [TITLE, *PARAGRAPHS]
    assert data["meta"]["site"] == "KOMPAS.com"


def test_url_errors_are_one_line_exit_4(site: Server) -> None:
    result = invoke("run", site.url("/missing"))
    assert result.exit_code == 4
    assert result.stderr == f"translate-cli: error: {site.url('/missing')}: HTTP 404 Not Found\n"
    assert invoke("segment", "file:///etc/passwd").exit_code == 4
    empty = invoke("segment", site.url("/empty"))
    assert empty.exit_code == 4 and "no article text found" in empty.stderr
    slow = invoke("segment", site.url("/slow"), "--timeout", "0.3")
    assert slow.exit_code == 4 and "(timeout)" in slow.stderr
    assert "Traceback" not in result.stderr + empty.stderr + slow.stderr


def test_timeout_bounds_headers_dripped_a_line_at_a_time(site: Server) -> None:
    # One header line every 0.5 s, without end: each wait is short, the whole is not.
    site.routes["/drip"] = Response(drip_headers=0.5)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"no answer within 1 s \(timeout\)"):
        fetch(site.url("/drip"), timeout=1)
    assert time.monotonic() - started < 4
    started = time.monotonic()
    result = invoke("extract", site.url("/drip"), "--timeout", "2")
    assert time.monotonic() - started < 5
    assert result.exit_code == 4
    assert "no answer within 2 s (timeout)" in result.stderr


def test_timeout_is_a_checked_setting() -> None:
    result = invoke("segment", "--timeout", "0", input="Halo.")
    assert result.exit_code == 2 and "--timeout: must be at least 0.1" in result.stderr


def test_a_batch_keeps_going_past_a_bad_url(site: Server) -> None:
    html, _ = _page("cnn")
    lines = "\n".join(
        json.dumps(record)
        for record in (
            {"id": "a", "url": site.url("/kompas")},
            {"id": "b", "url": site.url("/missing")},
            {"id": "c", "html": html.decode()},
            {"id": "d", "text": "Satu kalimat saja."},
            {"id": "e", "url": "file:///etc/passwd"},
        )
    )
    result = invoke("segment", "--input-format", "jsonl", input=lines)
    assert result.exit_code == 4
    out = jsonl(result.stdout)
    assert [r["id"] for r in out] == ["a", "b", "c", "d", "e"]
    assert out[0]["sentences"][0]["source"] == TITLE and out[0]["meta"]["site"] == "KOMPAS.com"
    assert out[1]["error"]["status"] == 4 and "HTTP 404 Not Found" in out[1]["error"]["message"]
    assert out[2]["meta"]["site"] == "CNN Indonesia" and "error" not in out[2]
    assert "meta" not in out[3]
    assert "http:// or https://" in out[4]["error"]["message"]
    assert result.stderr.count("translate-cli: error:") == 2


def test_several_urls_as_a_json_batch(site: Server) -> None:
    result = invoke("extract", site.url("/kompas"), site.url("/png"), "-f", "jsonl")
    assert result.exit_code == 4
    first, second = jsonl(result.stdout)
    assert first["id"] == site.url("/kompas") and first["paragraphs"][0] == TITLE
    assert "image/png" in second["error"]["message"]


# --- redirects to private addresses -----------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("::ffff:93.184.216.34", True),
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("::1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # the cloud metadata service
        ("fe80::1", False),
        ("fc00::1", False),
        ("fec0::1", False),  # site-local
        ("100.64.0.1", False),  # shared (CGNAT)
        ("0.0.0.0", False),
        ("::", False),
        ("224.0.0.1", False),
        ("ff02::1", False),
        ("240.0.0.1", False),  # reserved
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:169.254.169.254", False),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("2002:a9fe:a9fe::", False),  # 6to4 around 169.254.169.254
    ],
)
def test_which_addresses_are_public(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


def _resolver(table: dict[str, list[str]]) -> Callable[[str], list[Any]]:
    def addresses(host: str) -> list[Any]:
        return [ipaddress.ip_address(a) for a in table.get(host, [])]

    return addresses


def test_a_redirect_is_refused_only_from_a_public_address_to_a_private_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        network,
        "host_addresses",
        _resolver(
            {
                "news.example": ["93.184.216.34"],
                "cdn.example": ["93.184.216.35"],
                "both.example": ["93.184.216.36", "10.0.0.7"],
                "intranet": ["10.0.0.8"],
                "localhost": ["127.0.0.1", "::1"],
                "10.0.0.9": ["10.0.0.9"],
            }
        ),
    )
    refused = [
        ("http://news.example/a", "http://localhost:8080/admin"),
        ("http://news.example/a", "http://intranet/"),
        ("http://news.example/a", "http://both.example/"),  # one private address is enough
        ("http://news.example/a", "http://u:p@10.0.0.9/"),
        ("https://unknown.example/a", "http://intranet/"),  # a lookup that fails: public
    ]
    allowed = [
        ("http://news.example/a", "https://cdn.example/b"),
        ("http://news.example/a", "http://unknown.example/"),  # cannot be looked up: no address
        ("http://intranet/a", "http://localhost/b"),  # from a private server: anywhere
        ("http://localhost:1/a", "http://localhost:1/b"),  # the same origin
    ]
    assert [leaves_the_internet(url, target) for url, target in refused] == [True] * 5
    assert [leaves_the_internet(url, target) for url, target in allowed] == [False] * 4


@pytest.fixture
def public_site(site: Server, monkeypatch: pytest.MonkeyPatch) -> Server:
    """``site`` as if it were on the internet: 127.0.0.1 looks public, "localhost" does not."""
    real = network.host_addresses

    def addresses(host: str) -> list[Any]:
        if host == "127.0.0.1":
            return [ipaddress.ip_address("93.184.216.34")]
        return real(host)

    monkeypatch.setattr(network, "host_addresses", addresses)
    inside = site.url("/kompas").replace("127.0.0.1", "localhost")
    site.routes["/to-inside"] = Response(status=302, headers={"Location": inside})
    site.routes["/to-metadata"] = Response(
        status=301, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    return site


def test_a_public_page_redirecting_inside_is_exit_4(public_site: Server) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(public_site.url("/to-metadata"))  # refused before anything is sent there
    assert caught.value.exit_status == 4
    assert caught.value.message == (
        f"{public_site.url('/to-metadata')}: redirected from a public address to a private one "
        "(http://169.254.169.254/latest/meta-data/); not followed unless --allow-private-redirects"
    )
    with pytest.raises(FetchError, match="to a private one"):
        fetch(public_site.url("/to-inside"))
    assert [r["path"] for r in public_site.requests] == ["/to-metadata", "/to-inside"]
    page = fetch(public_site.url("/to-inside"), allow_private_redirects=True)
    assert page.url == public_site.url("/kompas").replace("127.0.0.1", "localhost")


def test_allow_private_redirects_is_an_option_a_variable_and_a_setting(
    public_site: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = public_site.url("/to-inside")
    refused = invoke("extract", url)
    assert refused.exit_code == 4
    assert refused.stderr.count("\n") == 1 and "--allow-private-redirects" in refused.stderr
    assert refused.stdout == ""
    allowed = invoke("extract", url, "--allow-private-redirects")
    assert allowed.exit_code == 0, allowed.stderr
    assert allowed.stdout.startswith(TITLE)
    run = invoke("segment", url, "--allow-private-redirects", "-f", "json")
    assert run.exit_code == 0 and json.loads(run.stdout)["sentences"][0]["source"] == TITLE
    lines = json.dumps({"id": "a", "url": url})
    batch = invoke("segment", "--input-format", "jsonl", input=lines)
    assert batch.exit_code == 4 and "to a private one" in jsonl(batch.stdout)[0]["error"]["message"]
    monkeypatch.setenv("TRANSLATE_CLI_ALLOW_PRIVATE_REDIRECTS", "yes")
    assert invoke("extract", url).exit_code == 0
    assert resolve_settings(
        {}, env={}, file_values={"allow_private_redirects": True}
    ).allow_private_redirects
    assert not Settings().allow_private_redirects


def test_a_url_the_user_gives_may_point_inside(public_site: Server) -> None:
    inside = public_site.url("/kompas").replace("127.0.0.1", "localhost")
    assert invoke("extract", inside).exit_code == 0


# --- credentials in URLs ----------------------------------------------------------------------
def test_credentials_in_url_arguments_are_never_echoed(site: Server, tmp_path: Path) -> None:
    def secret(path: str) -> str:
        return site.url(path).replace("http://", "http://alice:Secret@")

    urls = [secret("/kompas?id=7"), secret("/missing")]
    for command in (["extract"], ["segment"], ["run", "--engine", "fake"]):
        result = invoke(*command, *urls, "-f", "jsonl")
        assert result.exit_code == 4, result.stderr
        first, second = jsonl(result.stdout)
        assert first["id"] == site.url("/kompas?id=7")  # the query names the page
        assert second["id"] == site.url("/missing")
        assert "Secret" not in result.stdout + result.stderr
        assert "alice" not in result.stdout + result.stderr
    text = invoke("segment", *urls[:1], secret("/text"))
    assert text.exit_code == 0, text.stderr
    assert "Secret" not in text.stdout + text.stderr
    assert f"==> {site.url('/text')} <==" in text.stdout
    records = "\n".join(
        json.dumps({"id": n, "url": url})
        for n, url in enumerate(
            ["ftp://alice:Secret@host/x", secret("/missing"), "alice:Secret@h/x"]
        )
    )
    result = invoke("segment", "--input-format", "jsonl", input=records)
    messages = [line["error"]["message"] for line in jsonl(result.stdout)]
    assert "'ftp://host/x'" in messages[0] and "HTTP 404" in messages[1]
    assert "Secret" not in result.stdout + result.stderr
    batch = invoke("batch", secret("/archive.jsonl"), "-o", str(tmp_path / "out"))
    assert batch.exit_code == 4 and "Secret" not in batch.stdout + batch.stderr


# --- the library ----------------------------------------------------------------------------
def test_pipeline_reads_an_article_and_keeps_its_meta() -> None:
    article = Article(TITLE, tuple(PARAGRAPHS), url="https://example.org/a", site="Contoh")
    with Pipeline() as pipeline:
        report = pipeline.task("segment")(article)
    assert report.sentences[0].sentence.text == TITLE
    assert report.sentences[0].sentence.paragraph == 0
    assert report.to_dict()["meta"]["site"] == "Contoh"
    assert "meta" not in Pipeline().segment("Halo dunia.").to_dict()


def test_read_records_html_forced_and_errors_kept(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(b"<nav>Beranda</nav>")
    (record,) = read_records([str(path)], "html")
    assert record.error is not None and "page.txt: no article text found" in record.error.message

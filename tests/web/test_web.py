"""Web pages as input: sniffing, charsets, extraction, fetching (loopback only) and the CLI.

Every HTTP request goes to a server on 127.0.0.1 that the test starts (tests/web_server.py);
the pages are built from our own short paragraphs in six news-site layouts (tests/web_pages.py).
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import EXAMPLE, invoke, jsonl
from tests.web.pages import LAYOUTS, build_page
from tests.web.server import Response, Server, serve
from translate_cli import Pipeline
from translate_cli.errors import InputError
from translate_cli.inputs import read_records
from translate_cli.web import (
    MAX_BYTES,
    Article,
    FetchError,
    decode_page,
    fetch,
    looks_like_html,
    read_article,
    safe_url,
)
from translate_cli.web.extract import extract_article, is_boilerplate_line
from translate_cli.web.network import Limits, NetworkError, Trouble, exchange

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
        "/pdf": Response(b"%PDF-1.7\n", headers={"Content-Type": "application/pdf"}),
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
        ("/pdf", "not a web page or text (application/pdf)"),
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

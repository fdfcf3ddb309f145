"""Page bytes to text: only the charsets a browser knows, in a browser's order, and a page that
cannot be decoded is that page's error (exit 4), never a crash of the run.

Hostile labels go through ``extract`` three ways: an HTML file, a URL on a loopback server
(the label in the ``<meta>`` and in the ``Content-Type`` header) and a JSONL batch record.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import invoke, jsonl
from tests.web.server import Response, Server, serve
from translate_cli.resources import entries
from translate_cli.web import CharsetError, decode_page, read_article
from translate_cli.web.charset import encoding

TITLE = "Pemerintah Kota Membuka Tiga Taman Baru di Tepi Sungai"
PARAGRAPHS = [
    "Pemerintah kota membuka tiga taman baru di tepi sungai pada Sabtu pagi, lengkap dengan "
    "jalur sepeda, lampu jalan dan tempat duduk bagi warga.",
    "Kepala dinas pertamanan mengatakan taman itu dibangun di atas lahan bekas gudang yang "
    "sudah lama terbengkalai. Biaya pembangunannya berasal dari anggaran daerah tahun lalu.",
    "Warga menyambut baik taman tersebut, tetapi meminta petugas kebersihan ditambah. Data "
    "proyek disimpan di folder C:\\data\\new\\x00 milik dinas, katanya.",
]
EXPECTED = "\n\n".join([TITLE, *PARAGRAPHS]) + "\n"
# Python codecs that are no text encoding of a web page, and a meta UTF-16 on ASCII bytes.
HOSTILE = ["base64", "zlib", "rot13", "unicode_escape", "bz2", "hex", "utf-7", "utf-16"]
# The WHATWG "replacement" encoding: a browser decodes nothing of such a page.
UNDECODABLE = ["iso-2022-kr", "hz-gb-2312"]


def page(charset: str | None = None) -> bytes:
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{TITLE}</title></head>"
        f"<body><article><h1>{TITLE}</h1>{body}</article></body></html>"
    ).encode("ascii")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def site() -> Iterator[Server]:
    routes = {}
    for label in HOSTILE + UNDECODABLE:
        routes[f"/meta/{label}"] = Response(page(label), headers={"Content-Type": "text/html"})
        routes[f"/header/{label}"] = Response(
            page(), headers={"Content-Type": f"text/html; charset={label}"}
        )
        routes[f"/text/{label}"] = Response(
            PARAGRAPHS[0].encode(), headers={"Content-Type": f"text/plain; charset={label}"}
        )
    routes["/good"] = Response(page(), headers={"Content-Type": "text/html; charset=utf-8"})
    with serve(routes) as server:
        yield server


# --- the table ------------------------------------------------------------------------------
def test_every_browser_encoding_has_a_python_codec() -> None:
    names = set()
    for line in entries("translate_cli.web", "encodings.txt"):
        name, codec, *labels = line.split()
        names.add(name)
        assert labels, name
        if codec not in ("-", "x-user-defined"):
            assert codecs.lookup(codec).name  # raises LookupError for a typo
    assert len(names) == 40  # the Encoding Standard's encodings, "replacement" included


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("UTF-8", "UTF-8"),
        (" utf8 ", "UTF-8"),
        ("latin1", "windows-1252"),
        ("ISO-8859-1", "windows-1252"),
        ("us-ascii", "windows-1252"),
        ("gb2312", "GBK"),
        ("Shift_JIS", "Shift_JIS"),
        ("unicode", "UTF-16LE"),
        ("iso-2022-kr", "replacement"),
    ],
)
def test_labels_name_browser_encodings(label: str, name: str) -> None:
    known = encoding(label)
    assert known is not None and known.name == name


@pytest.mark.parametrize("label", [*HOSTILE[:-2], "utf-32", "cp037", "idna", "mbcs", "", None])
def test_python_codecs_are_no_page_charset(label: str | None) -> None:
    assert encoding(label) is None


# --- decoding -------------------------------------------------------------------------------
@pytest.mark.parametrize("label", HOSTILE)
def test_a_hostile_label_is_ignored(label: str) -> None:
    data = page(label)
    assert decode_page(data) == (data.decode("ascii"), "utf-8")
    assert decode_page(page(), label) == (page().decode("ascii"), "utf-8")


def test_a_meta_utf16_means_utf8_as_in_a_browser() -> None:
    text = "Kafé “Bintang” buka pukul 08.00."
    data = b'<meta charset="UTF-16LE"><p>' + text.encode("utf-8") + b"</p>"
    assert decode_page(data)[0].endswith(text + "</p>")
    # A header may declare UTF-16 for bytes that really are UTF-16.
    utf16 = "<p>Halo dunia</p>".encode("utf-16-le")
    assert decode_page(utf16, "utf-16") == ("<p>Halo dunia</p>", "utf-16-le")


@pytest.mark.parametrize("label", UNDECODABLE)
def test_the_replacement_encoding_is_an_input_error(label: str) -> None:
    with pytest.raises(CharsetError, match=f"berita.html: cannot be decoded.*'{label}'") as info:
        decode_page(page(label), name="berita.html")
    assert info.value.exit_status == 4
    with pytest.raises(CharsetError, match="its HTTP header declares"):
        decode_page(page(), label)
    # The header comes first: a page it declares in a charset that fits is read.
    assert decode_page(page(label), "utf-8") == (page(label).decode(), "utf-8")


def test_utf8_cut_mid_character_is_still_utf8() -> None:
    text = "Zażółć gęślą jaźń — Łódź, Kraków i Gdańsk są piękne o każdej porze roku. " * 3
    data = text.encode() + b"\xc3" + text.encode()  # one byte of a character, cut short
    for declared in (None, "utf-8"):
        assert decode_page(data, declared) == (text + "\ufffd" + text, "utf-8")


def test_fallbacks_detection_then_windows_1252() -> None:
    text = "Kafé “Bintang” buka pukul 08.00 – tutup larut malam bersama kawan-kawan."
    assert decode_page(text.encode("cp1252"), "zlib")[0] == text
    assert decode_page(b"<p>caf\xe9</p>", "x-user-defined")[0] == "<p>caf\uf7e9</p>"
    assert decode_page(b'<meta charset="x-user-defined"><p>caf\xe9</p>')[0].endswith("café</p>")


# --- through extract: a file, a URL, a JSONL record -----------------------------------------
@pytest.mark.parametrize("label", HOSTILE)
def test_extract_a_file_with_a_hostile_meta(tmp_path: Path, label: str) -> None:
    path = tmp_path / "berita.html"
    path.write_bytes(page(label))
    result = invoke("extract", str(path))
    assert (result.exit_code, result.stdout) == (0, EXPECTED), result.stderr


@pytest.mark.parametrize("label", HOSTILE)
def test_extract_a_url_with_a_hostile_meta_or_header(site: Server, label: str) -> None:
    for where in ("meta", "header"):
        result = invoke("extract", site.url(f"/{where}/{label}"))
        assert (result.exit_code, result.stdout) == (0, EXPECTED), (where, result.stderr)
    text = invoke("extract", "--input-format", "text", site.url(f"/text/{label}"))
    assert (text.exit_code, text.stdout) == (0, PARAGRAPHS[0] + "\n"), text.stderr


@pytest.mark.parametrize("label", UNDECODABLE)
def test_an_undecodable_page_is_exit_4_in_one_line(
    tmp_path: Path, site: Server, label: str
) -> None:
    path = tmp_path / "berita.html"
    path.write_bytes(page(label))
    for source in (str(path), site.url(f"/meta/{label}"), site.url(f"/header/{label}")):
        result = invoke("extract", source)
        assert result.exit_code == 4 and result.stdout == ""
        assert result.stderr.startswith("translate-cli: error: ")
        assert "cannot be decoded" in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_jsonl_batch_goes_on_past_every_hostile_page(site: Server) -> None:
    records = []
    for label in HOSTILE + UNDECODABLE:
        records.append({"id": f"html-{label}", "html": page(label).decode()})
        records.append({"id": f"meta-{label}", "url": site.url(f"/meta/{label}")})
        records.append({"id": f"header-{label}", "url": site.url(f"/header/{label}")})
    records.append({"id": "last", "url": site.url("/good")})
    lines = "".join(json.dumps(record) + "\n" for record in records)
    result = invoke("extract", "--input-format", "jsonl", "-f", "jsonl", input=lines)
    assert result.exit_code == 4, result.stderr
    out = {record["id"]: record for record in jsonl(result.stdout)}
    assert list(out) == [record["id"] for record in records]
    for key, record in out.items():
        if key.partition("-")[2] in UNDECODABLE:
            assert record["error"]["status"] == 4
            assert "cannot be decoded" in record["error"]["message"]
        else:
            assert record["paragraphs"] == [TITLE, *PARAGRAPHS], key


def test_a_batch_folder_goes_on_past_an_undecodable_page(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    records = [
        {"id": "bad", "html": page("zlib").decode()},
        {"id": "refused", "html": page("iso-2022-kr").decode()},
        {"id": "good", "text": PARAGRAPHS[0]},
    ]
    source.write_text("".join(json.dumps(record) + "\n" for record in records))
    out = tmp_path / "out"
    result = invoke("batch", str(source), "-o", str(out), "--engine", "fake")
    assert result.exit_code == 4, result.stderr
    errors = jsonl((out / "part-00000.errors.jsonl").read_text())
    assert [error["id"] for error in errors] == ["refused"]
    done = jsonl((out / "part-00000.jsonl").read_text())
    assert sorted(record["id"] for record in done) == ["bad", "good"]


def test_read_article_never_crashes_on_a_label() -> None:
    for label in HOSTILE:
        assert list(read_article(page(label)).paragraphs) == PARAGRAPHS

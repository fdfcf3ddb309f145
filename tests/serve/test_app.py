"""The server over HTTP: a LibreTranslate client no one here wrote (libretranslatepy), raw
httpx clients, concurrently, and the safety rules (keys, sizes, time, disconnects)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from urllib.error import HTTPError
from urllib.parse import urlsplit

import httpx
import pytest
from libretranslatepy import LibreTranslateAPI

from tests.doubles import fake_translation
from tests.serve.helpers import GatedEngine, SlowEngine, serving, wait_for
from tests.web.server import Response, serve
from translate_cli.config import Settings
from translate_cli.pipeline import Pipeline
from translate_cli.serve.batcher import Ticket

ARTICLE = (
    "Presiden Joko Widodo meresmikan jalan tol baru di Semarang, Jawa Tengah, pada hari Senin. "
    "Jalan tol itu menghubungkan kota-kota di pantai utara.\n\n"
    "Pemerintah berharap perjalanan menjadi lebih cepat."
)


def error_of(error: HTTPError) -> tuple[int, dict[str, str]]:
    return error.code, json.loads(error.read())


def test_libretranslatepy_translates_detects_and_lists_languages() -> None:
    with serving() as (url, _):
        client = LibreTranslateAPI(url)
        assert client.translate("Halo dunia. Apa kabar?", "id", "en") == (
            f"{fake_translation('Halo dunia.')} {fake_translation('Apa kabar?')}"
        )
        assert client.translate(ARTICLE, "auto", "en") == (
            "EN Presiden Joko Widodo meresmikan jalan tol baru di Semarang, Jawa Tengah, pada "
            "hari Senin. EN Jalan tol itu menghubungkan kota-kota di pantai utara.\n\n"
            "EN Pemerintah berharap perjalanan menjadi lebih cepat."
        )
        detected = client.detect(ARTICLE)
        assert detected[0]["language"] == "id"
        assert 50 < detected[0]["confidence"] <= 100
        assert detected == sorted(detected, key=lambda d: -d["confidence"])
        assert client.languages() == [
            {"code": "id", "name": "Indonesian", "targets": ["en"]},
            {"code": "en", "name": "English", "targets": []},
        ]


def test_keys_refused_and_accepted_through_libretranslatepy() -> None:
    with serving(keys=frozenset({"s3cret"})) as (url, _):
        assert LibreTranslateAPI(url, api_key="s3cret").translate("Halo.", "id", "en") == (
            fake_translation("Halo.")
        )
        with pytest.raises(HTTPError) as wrong:
            LibreTranslateAPI(url, api_key="guess").translate("Halo.", "id", "en")
        assert error_of(wrong.value) == (403, {"error": "Invalid API key"})
        with pytest.raises(HTTPError) as missing:
            LibreTranslateAPI(url).detect("Halo.")
        assert error_of(missing.value) == (403, {"error": "An API key is required"})
        refused = httpx.post(f"{url}/api/segment", json={"text": "Halo."})
        assert refused.status_code == 403
        assert httpx.get(f"{url}/health").status_code == 200  # the health check needs none


def test_a_json_list_gives_a_list_and_auto_gives_detected_languages() -> None:
    with serving() as (url, _):
        reply = httpx.post(
            f"{url}/translate",
            json={"q": [ARTICLE, "Selamat pagi.", ""], "source": "auto", "target": "en"},
        ).json()
        assert reply["translatedText"][1:] == [fake_translation("Selamat pagi."), ""]
        assert reply["translatedText"][0].count("EN ") == 3
        assert len(reply["detectedLanguage"]) == 3
        assert reply["detectedLanguage"][0]["language"] == "id"
        plain = httpx.post(
            f"{url}/translate", json={"q": "Halo.", "source": "id", "target": "en"}
        ).json()
        assert plain == {"translatedText": fake_translation("Halo.")}  # no detection asked


def test_english_given_with_source_auto_comes_back_as_it_is() -> None:
    english = "The president opened a new toll road in Semarang on Monday morning."
    with serving() as (url, service):
        reply = httpx.post(
            f"{url}/translate", data={"q": english, "source": "auto", "target": "en"}
        ).json()
        assert reply["translatedText"] == english
        assert reply["detectedLanguage"]["language"] == "en"
        assert service.batcher.sentences == 0


def test_html_keeps_its_markup_and_multipart_forms_are_read() -> None:
    markup = '<p>Halo <b>dunia</b>.</p><p class="x">Apa <a href="/k">kabar</a>?</p>'
    with serving() as (url, _):
        reply = httpx.post(
            f"{url}/translate",
            files={
                "q": (None, markup),
                "source": (None, "id"),
                "target": (None, "en"),
                "format": (None, "html"),
            },
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["translatedText"] == (
            '<p>EN Halo <b>EN dunia</b>.</p><p class="x">EN Apa <a href="/k">EN kabar</a>?</p>'
        )


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"source": "id", "target": "en"}, 400, "Invalid request: missing q parameter"),
        ({"q": "x", "target": "en"}, 400, "Invalid request: missing source parameter"),
        ({"q": "x", "source": "fr", "target": "en"}, 400, "fr is not supported"),
        ({"q": "x", "source": "id", "target": "de"}, 400, "de is not supported"),
        (
            {"q": "x", "source": "id", "target": "en", "format": "pdf"},
            400,
            "pdf format is not supported",
        ),
        (
            {"q": [1], "source": "id", "target": "en"},
            400,
            "Invalid request: q must be a string or a list of strings",
        ),
        (
            {"q": ["a"] * 11, "source": "id", "target": "en"},
            400,
            "Invalid request: request (11) exceeds text limit (10)",
        ),
        (
            {"q": "Satu. Dua. Tiga. Empat.", "source": "id", "target": "en"},
            400,
            "Invalid request: 4 sentences exceed the limit (3)",
        ),
    ],
)
def test_errors_have_libretranslates_shape(
    fields: dict[str, object], status: int, message: str
) -> None:
    with serving(max_texts=10, max_sentences=3) as (url, _):
        reply = httpx.post(f"{url}/translate", json=fields)
        assert (reply.status_code, reply.json()) == (status, {"error": message})


def test_bad_json_and_oversize_bodies_are_refused() -> None:
    with serving(max_body=1000) as (url, service):
        bad = httpx.post(
            f"{url}/translate", content=b"[1, 2", headers={"content-type": "application/json"}
        )
        assert (bad.status_code, bad.json()) == (400, {"error": "Invalid JSON format"})
        big = {"q": "Kalimat panjang. " * 100, "source": "id", "target": "en"}
        declared = httpx.post(f"{url}/translate", json=big)
        assert declared.status_code == 413
        assert declared.json() == {"error": "Request body exceeds the limit (1000 bytes)"}

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b"source=id&target=en&q="
            for _ in range(100):
                yield b"Kalimat+panjang.+"

        streamed = httpx.post(f"{url}/translate", content=chunks())
        assert streamed.status_code == 413
        assert service.batcher.sentences == 0


def test_concurrent_clients_share_engine_calls() -> None:
    engine = SlowEngine(0.05)

    async def clients(url: str) -> list[str]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=32)) as client:

            async def one(n: int) -> str:
                reply = await client.post(
                    f"{url}/translate", data={"q": f"Kalimat {n}.", "source": "id", "target": "en"}
                )
                assert reply.status_code == 200, reply.text
                text: str = reply.json()["translatedText"]
                return text

            return await asyncio.gather(*(one(n) for n in range(96)))

    with serving(engine, batch_window=0.01) as (url, service):
        results = asyncio.run(clients(url))
    assert results == [fake_translation(f"Kalimat {n}.") for n in range(96)]
    assert service.batcher.sentences == 96
    # 32 clients at a time, each call 50 ms: the requests that arrive during a call share
    # the next one (one call a request would be 96).
    assert len(engine.batches) <= 24, [len(b) for b in engine.batches]


def test_a_lone_client_is_answered_without_waiting_for_company() -> None:
    # A batch window of 30 s: every request it applied to would take that long.
    with serving(SlowEngine(0.05), batch_window=30.0) as (url, service), httpx.Client() as http:
        for n in range(3):
            started = time.monotonic()
            reply = http.post(
                f"{url}/translate", data={"q": f"Kalimat {n}.", "source": "id", "target": "en"}
            )
            assert reply.json() == {"translatedText": fake_translation(f"Kalimat {n}.")}
            assert time.monotonic() - started < 10
            # /detect never sends a sentence: it holds nothing up once answered either.
            assert http.post(f"{url}/detect", data={"q": "Selamat pagi."}).status_code == 200
    assert service.batcher.calls == 3


def test_more_requests_than_the_limit_are_told_to_slow_down() -> None:
    engine = GatedEngine()
    engine.gate.clear()
    with serving(engine, max_pending=1) as (url, _), httpx.Client() as first_client:
        first = threading.Thread(
            target=first_client.post,
            args=(f"{url}/translate",),
            kwargs={"data": {"q": "Satu.", "source": "id", "target": "en"}},
        )
        first.start()
        assert engine.entered.wait(10)
        reply = httpx.post(f"{url}/translate", data={"q": "Dua.", "source": "id", "target": "en"})
        assert reply.status_code == 429
        assert reply.json()["error"].startswith("Slowdown:")
        engine.gate.set()
        first.join(10)


def test_a_request_past_its_time_limit_is_answered_503_and_dropped() -> None:
    engine = GatedEngine()
    with serving(engine, seconds=0.5) as (url, service):
        engine.gate.clear()
        service.batcher.submit(["Sibuk."], Ticket(30))
        assert engine.entered.wait(10)
        reply = httpx.post(
            f"{url}/translate", data={"q": "Terlambat.", "source": "id", "target": "en"}
        )
        assert reply.status_code == 503
        assert reply.json() == {"error": "The request took longer than 0.5 s"}
        engine.gate.set()
        wait_for(url, lambda health: health["queued_sentences"] == 0)
    assert "Terlambat." not in engine.seen()


def raw_request(url: str, fields: dict[str, str]) -> socket.socket:
    """A POST sent on a socket of its own, not read: closing it is a client going away."""
    from urllib.parse import urlencode

    parts = urlsplit(url)
    body = urlencode(fields).encode()
    sock = socket.create_connection((parts.hostname, parts.port))
    sock.sendall(
        b"POST /translate HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    return sock


def read_reply(sock: socket.socket) -> bytes:
    """The whole HTTP reply on ``sock``: headers and the body their Content-Length declares
    (one ``recv`` may return the headers alone)."""
    sock.settimeout(10)
    reply = b""
    while b"\r\n\r\n" not in reply or len(reply) < _reply_length(reply):
        chunk = sock.recv(65536)
        if not chunk:
            break
        reply += chunk
    return reply


def _reply_length(reply: bytes) -> int:
    head, _, _ = reply.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value)
    return len(head) + 4


def test_a_client_that_disconnects_cancels_its_sentences() -> None:
    engine = GatedEngine()
    with serving(engine) as (url, service):
        engine.gate.clear()
        busy = raw_request(url, {"q": "Sibuk.", "source": "id", "target": "en"})
        assert engine.entered.wait(10)
        gone = raw_request(
            url, {"q": "Pergi satu. Pergi dua. Pergi tiga.", "source": "id", "target": "en"}
        )
        wait_for(url, lambda health: health["in_flight"] == 2)
        wait_for(url, lambda health: health["queued_sentences"] == 3)
        gone.close()
        wait_for(url, lambda health: health["in_flight"] == 1)  # its handler has ended
        engine.gate.set()
        reply = read_reply(busy)
        assert reply.startswith(b"HTTP/1.1 200")
        assert fake_translation("Sibuk.").encode() in reply
        busy.close()
        wait_for(url, lambda health: health["in_flight"] == 0)
        assert service.batcher.sentences == 1
    assert engine.seen() == ["Sibuk."]


def test_reports_are_what_the_library_gives() -> None:
    with serving() as (url, _):
        for task in ("segment", "translate", "summarize", "run"):
            reply = httpx.post(f"{url}/api/{task}", json={"text": ARTICLE})
            assert reply.status_code == 200, reply.text
            with Pipeline(engine="fake", no_memory=True) as pipeline:
                expected = pipeline.task(task)(ARTICLE).to_dict()
            assert reply.json() == expected
        unknown = httpx.post(f"{url}/api/nothing", json={"text": "x"})
        assert (unknown.status_code, "error" in unknown.json()) == (404, True)
        both = httpx.post(f"{url}/api/run", json={"text": "x", "url": "http://example.org/"})
        assert both.status_code == 400


def test_a_report_of_a_url_refuses_private_addresses_unless_allowed() -> None:
    page = (
        "<html><head><title>Banjir di Semarang</title></head><body><article>"
        + "".join(f"<p>{ARTICLE}</p>" for _ in range(3))
        + "</article></body></html>"
    ).encode()
    with serve({"/berita": Response(page, headers={"Content-Type": "text/html"})}) as site:
        address = site.url("/berita")
        with serving() as (url, _):
            refused = httpx.post(f"{url}/api/translate", json={"url": address})
            assert refused.status_code == 400
            assert "not a public address" in refused.json()["error"]
        with serving(allow_private_urls=True) as (url, _):
            reply = httpx.post(f"{url}/api/translate", data={"url": address})
            assert reply.status_code == 200, reply.text
            report = reply.json()
            assert report["meta"]["url"] == address
            assert report["sentences"][0]["translation"].startswith("EN ")


def test_the_translation_memory_answers_repeats_around_the_shared_engine() -> None:
    settings = Settings(engine="fake")  # the memory on, in this test's own cache folder
    with serving(settings=settings) as (url, service):
        for _ in range(3):
            reply = httpx.post(
                f"{url}/translate", data={"q": "Kalimat yang sama.", "source": "id", "target": "en"}
            )
            assert reply.json() == {"translatedText": fake_translation("Kalimat yang sama.")}
        assert service.batcher.sentences == 1  # the model saw it once


def test_a_body_that_never_ends_is_stopped_at_the_time_limit() -> None:
    with serving(seconds=0.5) as (url, service):
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port)) as sock:
            sock.sendall(
                b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nsource=id&q="
            )
            sock.settimeout(10)
            reply = b""
            while not reply.endswith(b"}"):
                reply += sock.recv(65536)
        assert reply.startswith(b"HTTP/1.1 503")
        assert b'{"error":"The request took longer than 0.5 s"}' in reply
        assert service.batcher.sentences == 0


def test_json_nested_too_deep_is_a_bad_request_not_a_crash() -> None:
    with serving() as (url, _):
        reply = httpx.post(
            f"{url}/translate",
            content=b"[" * 200_000,
            headers={"content-type": "application/json"},
        )
        assert (reply.status_code, reply.json()) == (400, {"error": "Invalid JSON format"})

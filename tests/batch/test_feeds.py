"""Feeds as batch inputs, against a loopback server whose feeds change between runs: the first
run does every item, a rerun requests no article and writes nothing new, new items are the
only work of the next run, a feed that fails leaves the others done."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import invoke
from tests.web.feeds import Outlets
from tests.web.server import Server, serve

FAKE = ("--engine", "fake")


@pytest.fixture
def world() -> Iterator[tuple[Outlets, Server]]:
    outlets = Outlets()
    outlets.publish("warta", "banjir", "2024-03-14")
    outlets.publish("warta", "beras", "2024-03-15")
    outlets.publish("kabar", "tol", "2024-03-15")
    outlets.publish("kabar", "gempa", "2024-03-15")
    outlets.publish("suara", "taman", "2024-03-15")
    routes: dict = {}
    with serve(routes) as server:
        routes.update(outlets.routes(server.url("")))
        yield outlets, server


def refresh(outlets: Outlets, server: Server) -> None:
    server.routes.clear()
    server.routes.update(outlets.routes(server.url("")))


def feed_urls(server: Server) -> list[str]:
    return [
        server.url("/warta/rss.xml"),
        server.url("/kabar/atom.xml"),
        server.url("/suara/sitemap.xml"),
    ]


def articles_requested(server: Server) -> list[str]:
    return sorted(r["path"].split("?")[0] for r in server.requests if ".html" in r["path"])


def done(out: Path) -> dict[str, dict]:
    records = {}
    for path in sorted(out.glob("part-*.jsonl")):
        if not path.name.endswith(".errors.jsonl"):
            for line in path.read_text("utf-8").splitlines():
                record = json.loads(line)
                records[record["id"]] = record
    return records


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the folder (the lock file aside): its bytes and modification time."""
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in out.iterdir()
        if not p.name.startswith(".")
    }


def test_first_run_rerun_and_new_items(
    world: tuple[Outlets, Server], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outlets, server = world
    out = tmp_path / "out"
    first = invoke("batch", *feed_urls(server), "-o", str(out), *FAKE)
    assert first.exit_code == 0, first.stderr
    assert articles_requested(server) == [
        "/kabar/gempa.html",
        "/kabar/tol.html",
        "/suara/taman.html",
        "/warta/banjir.html",
        "/warta/beras.html",
    ]
    records = done(out)
    assert len(records) == 5
    banjir = records[f"https://127.0.0.1:{server.port}/warta/banjir.html"]
    assert banjir["meta"]["title"] == "Banjir Rendam Ratusan Rumah di Sukajadi"
    assert banjir["sentences"][1]["source"].startswith("Banjir merendam")

    server.requests.clear()
    before = snapshot(out)
    import translate_cli.batch.worker

    with monkeypatch.context() as patch:

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("nothing new: no model must be loaded")

        patch.setattr(translate_cli.batch.worker.ShardWorker, "__init__", refuse)
        again = invoke("batch", *feed_urls(server), "-o", str(out), *FAKE)
    assert again.exit_code == 0, again.stderr
    assert articles_requested(server) == []
    assert snapshot(out) == before  # nothing written: no shard, no manifest, no feeds.json
    assert {"manifest.json", "feeds.json", "part-00000.jsonl"} <= set(before)
    assert "0 documents written, 5 already done" in again.stderr

    outlets.publish("warta", "sekolah", "2024-03-16")
    outlets.publish("suara", "beras", "2024-03-16")
    refresh(outlets, server)
    server.requests.clear()
    third = invoke("batch", *feed_urls(server), "-o", str(out), *FAKE)
    assert third.exit_code == 0, third.stderr
    assert articles_requested(server) == ["/suara/beras.html", "/warta/sekolah.html"]
    assert len(done(out)) == 7


def test_feeds_are_requested_conditionally(world: tuple[Outlets, Server], tmp_path: Path) -> None:
    _, server = world
    routes = server.routes
    routes["/warta/rss.xml"].headers["ETag"] = '"v1"'
    routes["/warta/rss.xml"].headers["Last-Modified"] = "Fri, 15 Mar 2024 08:00:00 GMT"
    out = tmp_path / "out"
    assert invoke("batch", server.url("/warta/rss.xml"), "-o", str(out), *FAKE).exit_code == 0
    state = json.loads((out / "feeds.json").read_text())
    assert state["feeds"][server.url("/warta/rss.xml")]["etag"] == '"v1"'
    server.requests.clear()
    routes["/warta/rss.xml"].status = 304  # what a server answers when nothing changed
    routes["/warta/rss.xml"].body = b""
    again = invoke("batch", server.url("/warta/rss.xml"), "-o", str(out), *FAKE)
    assert again.exit_code == 0, again.stderr
    (feed,) = [r for r in server.requests if r["path"] == "/warta/rss.xml"]
    assert feed["if-none-match"] == '"v1"'
    assert feed["if-modified-since"] == "Fri, 15 Mar 2024 08:00:00 GMT"
    assert articles_requested(server) == []
    assert "2 already done" in again.stderr


def test_a_feed_that_fails_leaves_the_others_done(
    world: tuple[Outlets, Server], tmp_path: Path
) -> None:
    outlets, server = world
    outlets.down.add("kabar")
    refresh(outlets, server)
    server.routes["/broken.xml"] = type(server.routes["/warta/rss.xml"])(
        b"<?xml version='1.0'?><rss version='2.0'><channel><item><link>", 200
    )
    out = tmp_path / "out"
    result = invoke("batch", *feed_urls(server), server.url("/broken.xml"), "-o", str(out), *FAKE)
    assert result.exit_code == 4
    lines = [line for line in result.stderr.splitlines() if "kabar" in line]
    assert len(lines) == 1 and "HTTP 500" in lines[0]
    assert any("broken.xml" in s and "malformed" in s for s in result.stderr.splitlines()), (
        result.stderr
    )
    assert len(done(out)) == 3  # warta's two and suara's one


def test_since_and_max_items_bound_a_run(world: tuple[Outlets, Server], tmp_path: Path) -> None:
    _, server = world
    since = invoke(
        "batch", *feed_urls(server), "-o", str(tmp_path / "a"), "--since", "2024-03-15", *FAKE
    )
    assert since.exit_code == 0, since.stderr
    assert not any("banjir" in key for key in done(tmp_path / "a"))
    assert len(done(tmp_path / "a")) == 4
    most = invoke("batch", *feed_urls(server), "-o", str(tmp_path / "b"), "--max-items", "1", *FAKE)
    assert most.exit_code == 0, most.stderr
    assert sorted(k.rsplit("/", 1)[1] for k in done(tmp_path / "b")) == [
        "beras.html",
        "gempa.html",
        "taman.html",
    ]
    bad = invoke("batch", *feed_urls(server), "-o", str(tmp_path / "c"), "--since", "soon", *FAKE)
    assert bad.exit_code == 2 and "--since" in bad.stderr


def test_one_story_at_two_addresses_is_fetched_once(
    world: tuple[Outlets, Server], tmp_path: Path
) -> None:
    _, server = world
    # The RSS links carry ?utm_source=rss, the sitemap the bare URL: one story, one request.
    urls = [server.url("/warta/rss.xml"), server.url("/warta/sitemap.xml")]
    result = invoke("batch", *urls, "-o", str(tmp_path / "out"), *FAKE)
    assert result.exit_code == 0, result.stderr
    assert articles_requested(server) == ["/warta/banjir.html", "/warta/beras.html"]


def test_a_feed_file_and_a_non_feed_url(world: tuple[Outlets, Server], tmp_path: Path) -> None:
    _, server = world
    from tests.web.feeds import rss

    feed = tmp_path / "warta.xml"
    feed.write_bytes(rss(server.url(""), "warta", [("banjir", "2024-03-14")]))
    result = invoke("batch", str(feed), "-o", str(tmp_path / "out"), *FAKE)
    assert result.exit_code == 0, result.stderr
    assert len(done(tmp_path / "out")) == 1
    page = invoke("batch", server.url("/warta/banjir.html"), "-o", str(tmp_path / "x"), *FAKE)
    assert page.exit_code == 4 and "not an RSS, Atom or sitemap" in page.stderr


def test_translate_and_extract_read_a_feed(world: tuple[Outlets, Server]) -> None:
    _, server = world
    for feed in ("/warta/rss.xml", "/warta/atom.xml", "/warta/sitemap.xml"):
        result = invoke("extract", server.url(feed), "-f", "jsonl")
        assert result.exit_code == 0, result.stderr
        titles = sorted(json.loads(line)["meta"]["title"] for line in result.stdout.splitlines())
        assert titles == ["Banjir Rendam Ratusan Rumah di Sukajadi", "Harga Beras Naik 3,5 Persen"]
    translated = invoke("translate", server.url("/kabar/rss.xml"), "-f", "json", *FAKE)
    assert translated.exit_code == 0, translated.stderr
    records = [json.loads(line) for line in translated.stdout.splitlines()]  # one a line
    assert [r["id"].rsplit("/", 1)[1] for r in records] == [
        "gempa.html?utm_source=rss",
        "tol.html?utm_source=rss",
    ]
    text = invoke("run", server.url("/kabar/atom.xml"), *FAKE)
    assert text.exit_code == 0, text.stderr
    assert text.stdout.count("==> ") == 2 and "\n\n==> " in text.stdout

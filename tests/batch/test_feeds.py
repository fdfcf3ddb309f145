"""Feeds as batch inputs, against a loopback server whose feeds change between runs: the first
run does every item, a rerun requests no article and writes nothing new, new items are the
only work of the next run, a feed that fails leaves the others done."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.doubles import FakeTranslator, record_opened
from tests.helpers import invoke
from tests.web.feeds import Outlets
from tests.web.server import Server

FAKE = ("--engine", "fake")


@pytest.fixture
def world() -> Iterator[tuple[Outlets, Server]]:
    outlets = Outlets()
    outlets.publish("warta", "banjir", "2024-03-14")
    outlets.publish("warta", "beras", "2024-03-15")
    outlets.publish("kabar", "tol", "2024-03-15")
    outlets.publish("kabar", "gempa", "2024-03-15")
    outlets.publish("suara", "taman", "2024-03-15")
    with outlets.served() as server:
        yield outlets, server


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
    outlets.refresh(server)
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
    outlets.refresh(server)
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
    summary = result.stderr.strip().splitlines()[-1]
    assert "3 documents written, 2 failed (2 feeds)" in summary, summary
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["failed"] == 2 and manifest["status"] == "incomplete"


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


@pytest.fixture
def engine_inputs(monkeypatch: pytest.MonkeyPatch) -> list[FakeTranslator]:
    """Every (fake) engine the runs open, behind the translation memory: what they were asked."""
    return record_opened(monkeypatch)


def asked(engines: list[FakeTranslator]) -> list[str]:
    """The texts the engines were asked to translate, in order."""
    return [text for engine in engines for batch in engine.batches for text in batch]


def test_a_page_naming_a_done_story_as_canonical_is_a_duplicate(
    world: tuple[Outlets, Server], tmp_path: Path, engine_inputs: list[FakeTranslator]
) -> None:
    from tests.web.feeds import STORIES

    outlets, server = world
    outlets.canonical["/warta/beras.html"] = "/warta/beras.html?utm_source=self"  # itself
    outlets.refresh(server)
    out = tmp_path / "out"
    first = invoke("batch", server.url("/warta/rss.xml"), "-o", str(out), *FAKE)
    assert first.exit_code == 0, first.stderr
    assert len(done(out)) == 2 and not any("duplicate_of" in r for r in done(out).values())
    warta_banjir = f"https://127.0.0.1:{server.port}/warta/banjir.html"
    assert STORIES["banjir"][0] in asked(engine_inputs)

    # kabar reprints warta's story naming it as canonical; suara reprints kabar's gempa,
    # which this same run does first.
    outlets.publish("kabar", "banjir", "2024-03-16")
    outlets.canonical["/kabar/banjir.html"] = "/warta/banjir.html"
    outlets.publish("suara", "gempa", "2024-03-16")
    outlets.canonical["/suara/gempa.html"] = server.url("/kabar/gempa.html?utm_medium=x")
    outlets.refresh(server)
    engine_inputs.clear()
    second = invoke(
        "batch", server.url("/kabar/atom.xml"), server.url("/suara/rss.xml"), "-o", str(out), *FAKE
    )
    assert second.exit_code == 0, second.stderr
    records = done(out)
    kabar_gempa = f"https://127.0.0.1:{server.port}/kabar/gempa.html"
    reprint = records[f"https://127.0.0.1:{server.port}/kabar/banjir.html"]
    assert reprint["duplicate_of"] == warta_banjir and "sentences" not in reprint
    assert reprint["meta"]["site"].lower() == "kabar"
    assert records[f"https://127.0.0.1:{server.port}/suara/gempa.html"]["duplicate_of"] == (
        kabar_gempa
    )
    texts = asked(engine_inputs)
    assert STORIES["gempa"][0] in texts and texts.count(STORIES["gempa"][0]) == 1
    assert not any(s in texts for s in STORIES["banjir"])  # no model call for the reprint

    # A later run: pos names kabar's reprint as canonical; feeds.json remembers whose it is.
    outlets.publish("pos", "banjir", "2024-03-17")
    outlets.canonical["/pos/banjir.html"] = "/kabar/banjir.html"
    outlets.refresh(server)
    third = invoke("batch", server.url("/pos/rss.xml"), "-o", str(out), *FAKE)
    assert third.exit_code == 0, third.stderr
    assert done(out)[f"https://127.0.0.1:{server.port}/pos/banjir.html"]["duplicate_of"] == (
        warta_banjir
    )

    # A page naming as canonical an article not done yet is no claim on it: both are done.
    outlets.publish("palsu", "tol", "2024-03-17")
    outlets.canonical["/palsu/tol.html"] = "/kabar/sekolah.html"
    outlets.publish("kabar", "sekolah", "2024-03-17")
    outlets.refresh(server)
    fourth = invoke(
        "batch", server.url("/palsu/rss.xml"), server.url("/kabar/rss.xml"), "-o", str(out), *FAKE
    )
    assert fourth.exit_code == 0, fourth.stderr
    records = done(out)
    assert "duplicate_of" not in records[f"https://127.0.0.1:{server.port}/palsu/tol.html"]
    assert "sentences" in records[f"https://127.0.0.1:{server.port}/kabar/sekolah.html"]

    brief = invoke("brief", str(out), "-f", "json")
    assert brief.exit_code == 0, brief.stderr
    entries = json.loads(brief.stdout)["entries"]
    banjir = [e for e in entries if any(s["id"] == warta_banjir for s in e["sources"])]
    assert len(banjir) == 1
    assert sorted(s["outlet"].lower() for s in banjir[0]["sources"]) == ["kabar", "pos", "warta"]
    # banjir, beras, gempa (kabar and suara), tol (kabar and palsu, by their text), taman,
    # sekolah
    assert len(entries) == 6


def test_a_syndicated_copy_is_translated_through_the_memory(
    world: tuple[Outlets, Server], tmp_path: Path, engine_inputs: list[FakeTranslator]
) -> None:
    """A copy at another outlet with no canonical link is fetched and translated, but what
    the memory measured: not one of its sentences reaches the engine again."""
    from tests.web.feeds import STORIES, TITLES

    outlets, server = world
    out = tmp_path / "out"
    assert invoke("batch", server.url("/warta/rss.xml"), "-o", str(out), *FAKE).exit_code == 0
    assert STORIES["beras"][0] in asked(engine_inputs)
    outlets.publish("suara", "beras", "2024-03-16")
    outlets.refresh(server)
    engine_inputs.clear()
    again = invoke("batch", server.url("/suara/rss.xml"), "-o", str(out), *FAKE)
    assert again.exit_code == 0, again.stderr
    texts = asked(engine_inputs)
    assert STORIES["taman"][0] in texts  # suara's own story was translated
    assert not any(s in texts for s in [*STORIES["beras"], TITLES["beras"]]), texts
    copy = done(out)[f"https://127.0.0.1:{server.port}/suara/beras.html"]
    assert "duplicate_of" not in copy
    assert copy["sentences"][1]["translation"] == "EN " + STORIES["beras"][0]


def test_the_sitemaps_of_an_index_are_requested_conditionally(
    world: tuple[Outlets, Server], tmp_path: Path
) -> None:
    outlets, server = world
    from tests.web.server import Response

    def publish_index() -> None:
        outlets.refresh(server)
        children = "".join(
            f"<sitemap><loc>{server.url(f'/{o}/sitemap.xml')}</loc></sitemap>"
            for o in ("warta", "kabar")
        )
        server.routes["/index.xml"] = Response(
            f"<?xml version='1.0'?><sitemapindex>{children}</sitemapindex>".encode()
        )
        for outlet in ("warta", "kabar"):
            server.routes[f"/{outlet}/sitemap.xml"].headers["ETag"] = f'"{outlet}-v1"'

    publish_index()
    out = tmp_path / "out"
    first = invoke("batch", server.url("/index.xml"), "-o", str(out), *FAKE)
    assert first.exit_code == 0, first.stderr
    assert len(done(out)) == 4
    state = json.loads((out / "feeds.json").read_text())["feeds"]
    assert state[server.url("/warta/sitemap.xml")]["etag"] == '"warta-v1"'
    assert len(state[server.url("/kabar/sitemap.xml")]["items"]) == 2

    # warta has not changed (304, no body); kabar published one more story (a new ETag).
    outlets.publish("kabar", "sekolah", "2024-03-16")
    publish_index()
    server.routes["/warta/sitemap.xml"] = Response(b"", 304)
    server.routes["/kabar/sitemap.xml"].headers["ETag"] = '"kabar-v2"'
    server.requests.clear()
    again = invoke("batch", server.url("/index.xml"), "-o", str(out), *FAKE)
    assert again.exit_code == 0, again.stderr
    sent = {r["path"]: r.get("if-none-match") for r in server.requests if "sitemap" in r["path"]}
    assert sent == {"/warta/sitemap.xml": '"warta-v1"', "/kabar/sitemap.xml": '"kabar-v1"'}
    assert articles_requested(server) == ["/kabar/sekolah.html"]
    assert "1 documents written, 4 already done" in again.stderr
    state = json.loads((out / "feeds.json").read_text())["feeds"]
    assert len(state[server.url("/warta/sitemap.xml")]["items"]) == 2  # kept from last time
    assert state[server.url("/kabar/sitemap.xml")]["etag"] == '"kabar-v2"'


def test_hostile_feeds_in_a_batch(
    world: tuple[Outlets, Server], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed that reuses one guid for two stories, one that is an HTML page (whatever its
    Content-Type says), one far too long: each story kept, one clear line each."""
    import translate_cli.web.feeds
    from tests.web.server import Response

    _, server = world
    base = server.url("")
    same_guid = "".join(
        f"<item><title>{slug}</title><link>{base}/warta/{slug}.html</link><guid>1</guid></item>"
        for slug in ("banjir", "beras")
    )
    server.routes["/guid.xml"] = Response(
        f"<rss version='2.0'><channel><title>W</title>{same_guid}</channel></rss>".encode()
    )
    server.routes["/page.xml"] = server.routes["/warta/banjir.html"]
    server.routes["/page.xml"].headers["Content-Type"] = "application/rss+xml"
    many = "".join(
        f"<item><link>{base}/kabar/{n}.html</link></item>" for n in ["tol", "gempa"] * 3 + ["x"]
    )
    server.routes["/many.xml"] = Response(f"<rss><channel>{many}</channel></rss>".encode())
    monkeypatch.setattr(translate_cli.web.feeds, "MAX_ITEMS", 3)
    out = tmp_path / "out"
    feeds = [server.url(p) for p in ("/guid.xml", "/page.xml", "/many.xml")]
    result = invoke("batch", *feeds, "-o", str(out), *FAKE)
    assert result.exit_code == 4
    assert sorted(k.rsplit("/", 2)[-1] for k in done(out)) == [
        "banjir.html",
        "beras.html",
        "gempa.html",
        "tol.html",
    ]
    lines = result.stderr.splitlines()
    (page,) = [line for line in lines if "page.xml" in line]
    assert page == (
        f"batch: {server.url('/page.xml')}: not an RSS, Atom or sitemap document (an HTML page?)"
    )
    assert f"batch: {server.url('/many.xml')}: 4 more items than the 3 read" in result.stderr
    assert "1 failed (1 feed)" in lines[-1]

    # the guid stays with the story it named first, run after run
    again = invoke("batch", feeds[0], "-o", str(out), *FAKE)
    assert again.exit_code == 0 and "2 already done" in again.stderr, again.stderr

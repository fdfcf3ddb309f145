"""The briefing: one entry per story with every outlet, from a batch folder with no model
loaded, in every format; and feeds given directly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import invoke
from tests.web.feeds import STORIES, Outlets
from tests.web.server import Server, serve
from translate_cli.brief import build
from translate_cli.brief.similar import THRESHOLD, clusters, jaccard, shingles

FAKE = ("--engine", "fake")


@pytest.fixture
def world() -> Iterator[tuple[Outlets, Server]]:
    outlets = Outlets()
    outlets.publish("warta", "banjir", "2024-03-14")
    outlets.publish("warta", "beras", "2024-03-15")
    outlets.publish("kabar", "tol", "2024-03-15")
    outlets.publish("kabar", "banjir", "2024-03-15")  # the same story, another outlet
    outlets.unnamed.add("kabar")  # its pages name no site: the feed's title names the outlet
    with outlets.served() as server:
        yield outlets, server


@pytest.fixture
def folder(world: tuple[Outlets, Server], tmp_path: Path) -> Path:
    _, server = world
    out = tmp_path / "out"
    feeds = [server.url("/warta/rss.xml"), server.url("/kabar/atom.xml")]
    result = invoke("batch", *feeds, "-o", str(out), "--command", "run", *FAKE)
    assert result.exit_code == 0, result.stderr
    return out


def test_a_story_from_two_outlets_is_one_entry_with_two_sources(folder: Path) -> None:
    result = invoke("brief", str(folder), "-f", "json")
    assert result.exit_code == 0, result.stderr
    entries = json.loads(result.stdout)["entries"]
    assert len(entries) == 3
    (banjir,) = [e for e in entries if "Sukajadi" in e["headline_source"]]
    assert sorted(banjir["outlets"]) == ["Warta", "kabar"]
    assert sorted(s["url"].rsplit("/", 2)[1] for s in banjir["sources"]) == ["kabar", "warta"]
    assert 1 <= len(banjir["summary"]) <= 3
    assert all(line["source"] and line["translation"] for line in banjir["summary"])
    assert banjir["date"] == "2024-03-15"
    ordered = json.loads(invoke("brief", str(folder), "-f", "json", "--order", "outlets").stdout)
    assert ordered["entries"][0]["headline_source"] == banjir["headline_source"]


def test_briefing_a_finished_folder_loads_no_model(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import translate_cli.pipeline

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a briefing of a batch folder must not make a pipeline")

    monkeypatch.setattr(translate_cli.pipeline.Pipeline, "__init__", refuse)
    for format in ("text", "markdown", "json", "html"):
        result = invoke("brief", str(folder), "-f", format, "--engine", "ctranslate2")
        assert result.exit_code == 0, result.stderr
        assert "/kabar/banjir.html" in result.stdout and "/warta/banjir.html" in result.stdout


def test_formats_show_headline_summary_outlets_and_links(folder: Path) -> None:
    text = invoke("brief", str(folder), "--title", "Pagi ini").stdout
    assert text.startswith("Pagi ini\n")
    assert "/warta/banjir.html" in text and "/kabar/banjir.html" in text
    markdown = invoke("brief", str(folder), "-f", "markdown").stdout
    assert markdown.startswith("# Briefing, ") and "\n## " in markdown
    page = invoke("brief", str(folder), "-f", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in page
    assert page.count("<section") == 3 and 'href="http://127.0.0.1' in page


def test_hostile_fields_are_escaped() -> None:
    record = {
        "id": 1,
        "meta": {"url": "javascript:alert(1)", "site": "<b>x</b>\x1b[31m", "date": "2024"},
        "sentences": [{"paragraph": 0, "index": 0, "source": "Judul", "translation": "T<i>"}],
    }
    from translate_cli.brief.render import BRIEF_FORMATS

    entries = build([record])
    page = BRIEF_FORMATS.get("html")(entries, "t")
    assert "<b>x" not in page and "<i>" not in page and "javascript:" not in page
    text = BRIEF_FORMATS.get("text")(entries, "t")
    assert "\x1b" not in text


def test_feeds_given_directly_are_translated_then_briefed(world: tuple[Outlets, Server]) -> None:
    _, server = world
    result = invoke("brief", server.url("/warta/rss.xml"), server.url("/kabar/sitemap.xml"), *FAKE)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n1. ") + result.stdout.count("\n3. ") == 2  # three entries
    assert "4." not in result.stdout


def test_shingles_separate_rewrites_from_other_stories() -> None:
    banjir = " ".join(STORIES["banjir"])
    rewrite = " ".join(STORIES["banjir"][:3]) + " Hingga sore ini air mulai surut."
    assert jaccard(shingles(banjir), shingles(rewrite)) >= THRESHOLD
    for slug, sentences in STORIES.items():
        if slug != "banjir":
            assert jaccard(shingles(banjir), shingles(" ".join(sentences))) < 0.05
    assert clusters([banjir, " ".join(STORIES["tol"]), rewrite]) == [[0, 2], [1]]


def test_html_with_an_output_file_links_each_reading_page(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "pagi.html"
    result = invoke("brief", str(folder), "-f", "html", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    page = target.read_text("utf-8")
    pages = sorted((tmp_path / "pagi_pages").glob("*.html"))
    assert len(pages) == 4  # one per article: the merged story has two
    assert page.count('href="pagi_pages/') == 4
    reading = pages[0].read_text("utf-8")
    assert reading.startswith("<!DOCTYPE html>") and 'lang="id"' in reading


def test_control_characters_from_outside_never_reach_the_terminal(tmp_path: Path) -> None:
    """A page title and a feed title with terminal escapes (clear screen, set the window
    title, bell): the text briefing shows neither raw."""
    from tests.web.server import Response

    body = "".join(f"<p>{p}</p>" for p in STORIES["banjir"])
    page = (
        "<html lang='id'><head><title>x</title></head><body><article>"
        f"<h1>Banjir &#27;[2J Sukajadi&#7;</h1>{body}</article></body></html>"
    ).encode()
    routes: dict = {"/a.html": Response(page, headers={"Content-Type": "text/html"})}
    with serve(routes) as server:
        routes["/rss.xml"] = Response(
            "<rss version='2.0'><channel><title>Kabar&#27;]0;evil&#7;</title>"
            f"<item><title>t&#27;[31m</title><link>{server.url('/a.html')}</link></item>"
            "</channel></rss>".encode()
        )
        out = tmp_path / "out"
        batch = invoke("batch", server.url("/rss.xml"), "-o", str(out), *FAKE)
        assert batch.exit_code == 0, batch.stderr
        record = json.loads((out / "part-00000.jsonl").read_text())
        assert "\x1b" in record["meta"]["title"]  # it did come in
        for shown in (invoke("brief", str(out)), invoke("brief", server.url("/rss.xml"), *FAKE)):
            assert shown.exit_code == 0, shown.stderr
            assert "Sukajadi" in shown.stdout and "Kabar" in shown.stdout
            assert not any(c in shown.stdout + shown.stderr for c in "\x1b\x07\x9b"), shown.stdout


def test_one_story_given_twice_is_one_source(world: tuple[Outlets, Server]) -> None:
    """The same article as a URL twice (once with tracking parameters) and in a feed: read
    and listed once, by the story key ``batch`` uses."""
    _, server = world
    page = server.url("/warta/banjir.html")
    result = invoke(
        "brief", page, page + "?utm_source=wa", server.url("/warta/rss.xml"), "-f", "json", *FAKE
    )
    assert result.exit_code == 0, result.stderr
    entries = json.loads(result.stdout)["entries"]
    assert len(entries) == 2
    assert [len(e["sources"]) for e in entries if "Sukajadi" in e["headline_source"]] == [1]
    pages = [r["path"] for r in server.requests if r["path"].startswith("/warta/banjir")]
    # the feed's link is fetched (a feed is read item by item), not listed again
    assert pages == ["/warta/banjir.html", "/warta/banjir.html?utm_source=rss"]


def test_a_duplicate_record_is_one_more_source() -> None:
    """``batch``'s ``duplicate_of`` lines (no text) join their story's entry, through a chain
    of duplicates too; one whose story is not there is left out."""
    story = {
        "id": "a",
        "meta": {"url": "https://a.example/1", "site": "A", "date": "2024-03-15"},
        "sentences": [{"source": s, "translation": "EN " + s} for s in STORIES["banjir"]],
    }

    def duplicate(name: str, of: str) -> dict:
        return {"id": name, "duplicate_of": of, "meta": {"url": f"https://{name}.example/1"}}

    records = [duplicate("b", "a"), story, duplicate("c", "b"), duplicate("d", "zzz")]
    (entry,) = build(records)
    assert [s.id for s in entry.sources] == ["a", "b", "c"]
    assert entry.outlets == ["A", "b.example", "c.example"]

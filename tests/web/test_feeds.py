"""Feeds and sitemaps recognised by content and parsed from bytes; story keys."""

from __future__ import annotations

import pytest

from tests.web.server import Response, serve
from translate_cli.web.feeds import (
    MAX_XML_BYTES,
    FeedError,
    feed_items,
    feed_kind,
    gunzipped,
    read_feed,
    story_key,
)

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://a.example/"><title>A</title></channel>
<item rdf:about="https://a.example/1"><title>Satu</title><link>https://a.example/1</link>
<dc:date>2024-03-15T08:00:00+07:00</dc:date></item>
</rdf:RDF>"""


def test_kinds_are_recognised_by_the_root_element() -> None:
    assert feed_kind(b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- x --><rss version='2.0'/>") == "feed"
    assert feed_kind(RDF) == "feed"
    assert feed_kind(b"<feed xmlns='http://www.w3.org/2005/Atom'/>") == "feed"
    assert feed_kind(b"<?xml version='1.0'?><sitemapindex/>") == "sitemap"
    assert feed_kind(b"<!DOCTYPE html><html><body>rss</body></html>") is None
    assert feed_kind(b'{"id": 1}') is None


def test_rss_1_0_items_with_dates() -> None:
    (item,) = read_feed(RDF).items
    assert item.url == "https://a.example/1" and item.title == "Satu"
    assert item.published is not None and item.published.hour == 1  # UTC


def test_a_sitemap_index_is_followed_and_entities_are_not_expanded() -> None:
    child = (
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
        b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        b"<url><loc>/a.html</loc><lastmod>2024-03-15</lastmod></url>"
        b"<url><loc>&e;</loc></url></urlset>"
    )
    routes = {"/s1.xml": Response(child)}
    with serve(routes) as server:
        index = (
            "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"<sitemap><loc>{server.url('/s1.xml')}</loc></sitemap></sitemapindex>"
        ).encode()
        from translate_cli.web import fetch

        items = feed_items(index, server.url("/index.xml"), lambda url: fetch(url).data)
    assert [i.url for i in items] == [server.url("/a.html")]
    assert items[0].published is not None and items[0].published.day == 15


def test_not_a_feed_is_an_error() -> None:
    with pytest.raises(FeedError, match="not an RSS, Atom or sitemap"):
        read_feed(b"<html></html>")
    with pytest.raises(FeedError, match="malformed feed"):
        read_feed(b"<rss version='2.0'><channel><item><link>")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.kompas.com/read/2024/03/15/berita?utm_source=rss&utm_medium=feed",
        "http://m.kompas.com/read/2024/03/15/berita/",
        "https://amp.kompas.com/read/2024/03/15/berita",
        "https://kompas.com/read/2024/03/15/berita/amp#top",
        "https://kompas.com/amp/read/2024/03/15/berita?fbclid=x",
        "https://KOMPAS.com/read/2024/03/15/berita?amp=1",
    ],
)
def test_one_story_one_key(url: str) -> None:
    assert story_key(url) == "https://kompas.com/read/2024/03/15/berita"


def test_different_pages_keep_different_keys() -> None:
    assert story_key("https://a.example/b?id=1") != story_key("https://a.example/b?id=2")
    assert story_key("https://a.example/b") != story_key("https://c.example/b")


def test_a_gzipped_sitemap_is_read_and_a_bomb_is_cut() -> None:
    import gzip

    sitemap = (
        b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        b"<url><loc>https://a.example/1</loc></url></urlset>"
    )
    assert feed_kind(gzip.compress(sitemap)) == "sitemap"
    assert [i.url for i in read_feed(gzip.compress(sitemap)).items] == ["https://a.example/1"]
    bomb = gzip.compress(sitemap[:-9] + b" " * (200 * 1024 * 1024))
    assert len(gunzipped(bomb)) == MAX_XML_BYTES  # inflated to the cap, never whole
    assert len(read_feed(bomb).items) == 1  # what came before the cut is read
    with pytest.raises(FeedError, match="not an RSS, Atom or sitemap"):  # broken gzip
        read_feed(b"\x1f\x8b" + b"<urlset" * 10)

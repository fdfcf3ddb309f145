"""Feeds and sitemaps recognised by content and parsed from bytes; story keys."""

from __future__ import annotations

import pytest

from tests.web.server import Response, serve
from translate_cli.web.feeds import (
    MAX_XML_BYTES,
    FeedError,
    canonical_link,
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


# --- hostile feeds: what careless outlets and attackers send -------------------------------------
def _rss(items: str, title: str = "Outlet") -> bytes:
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title}</title>{items}"
        "</channel></rss>".encode()
    )


def test_links_are_made_absolute_and_only_http_links_kept() -> None:
    feed = _rss(
        "<item><title>Relatif</title><link>/berita/1.html</link></item>"
        "<item><title>Tanpa tautan</title><description>teks</description></item>"
        "<item><title>Skrip</title><link>javascript:alert(1)</link></item>"
        "<item><title>Berkas</title><link>file:///etc/passwd</link></item>"
        "<item><title>Data</title><link>data:text/html,hai</link></item>"
        "<item><title>Naik</title><link>../2.html</link></item>"
    )
    items = read_feed(feed, "https://outlet.example/rss/terkini.xml").items
    assert [i.url for i in items] == [
        "https://outlet.example/berita/1.html",
        "https://outlet.example/2.html",
    ]
    sitemap = (
        b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        b"<url><loc>javascript:alert(1)</loc></url><url><loc>file:///etc/passwd</loc></url>"
        b"<url><loc>a/3.html</loc></url><url></url></urlset>"
    )
    assert [i.url for i in read_feed(sitemap, "https://outlet.example/s/map.xml").items] == [
        "https://outlet.example/s/a/3.html"
    ]


def test_titles_are_one_line_of_plain_text() -> None:
    feed = _rss(
        "<item><title><![CDATA[Harga <b>Beras</b> &amp; Gula Naik]]></title>"
        "<link>https://a.example/1</link></item>"
        "<item><title>Banjir &amp;amp; Longsor &#8211; Jakarta</title>"
        "<link>https://a.example/2</link></item>"
        "<item><title>Merah&#x1b;[31m\x07 lagi\nbaris</title><link>https://a.example/3</link></item>",
        title="Kabar &lt;b&gt;Kota&lt;/b&gt;",
    )
    parsed = read_feed(feed)
    assert [i.title for i in parsed.items] == [
        "Harga Beras & Gula Naik",
        "Banjir & Longsor – Jakarta",  # escaped twice, as CMSs do: meant as "&"
        "Merah [31m lagi baris",
    ]
    assert parsed.title == "Kabar Kota" and parsed.items[0].outlet == "Kabar Kota"
    assert not any(c in i.title for i in parsed.items for c in "\x1b\x07\n")


def test_a_feed_of_100000_items_is_cut_with_a_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import translate_cli.web.feeds as feeds

    monkeypatch.setattr(feeds, "MAX_ITEMS", 50)
    items = "".join(
        f"<item><title>T{n}</title><link>https://a.example/{n}</link><guid>g{n}</guid></item>"
        for n in range(100_000)
    )
    notices: list[str] = []
    start = time.monotonic()
    # feedparser reads every entry it is given (30 s for these, measured): the cut is what
    # keeps this under the bound
    listed = feed_items(_rss(items), None, lambda url: b"", notice=notices.append)
    assert time.monotonic() - start < 10
    assert [i.url for i in listed] == [f"https://a.example/{n}" for n in range(50)]
    assert notices == ["feed: 99950 more items than the 50 read; those were left out"]
    urls = "".join(f"<url><loc>https://a.example/{n}</loc></url>" for n in range(100_000))
    notices.clear()
    sitemap = f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>"
    listed = feed_items(sitemap.encode(), None, lambda url: b"", notice=notices.append)
    assert len(listed) == 50 and notices == [
        "feed: 99950 more items than the 50 read; those were left out"
    ]


_LAUGHS = (
    "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
    + "".join(
        f"<!ENTITY lol{n} '{('&lol' + str(n - 1) + ';') * 10 if n > 1 else '&lol;' * 10}'>"
        for n in range(1, 10)
    )
    + "]>"
)


def test_a_billion_laughs_feed_or_sitemap_is_not_expanded() -> None:
    import time

    feed = (
        _LAUGHS + "<rss version='2.0'><channel><title>&lol9;</title>"
        "<item><title>&lol9;</title><link>https://a.example/1</link></item></channel></rss>"
    ).encode()
    sitemap = (
        _LAUGHS + "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        "<url><loc>https://a.example/&lol9;</loc></url></urlset>"
    ).encode()
    for data in (feed, sitemap):
        start = time.monotonic()
        try:
            parsed = read_feed(data, "https://a.example/")
        except FeedError:
            continue  # refusing it is as good as reading it unexpanded
        assert time.monotonic() - start < 10
        assert all(len(i.url) < 100 and len(i.title) < 100 for i in parsed.items)
        assert len(parsed.title) < 100


@pytest.mark.parametrize(
    ("head", "canonical"),
    [
        ("<link rel='canonical' href='/berita/1'>", "https://b.example/berita/1"),
        ("<LINK REL='Canonical alternate' HREF='https://a.example/1'>", "https://a.example/1"),
        ("<link rel='canonical' href='javascript:alert(1)'>", ""),
        ("<link rel='canonical' href='file:///etc/passwd'>", ""),
        ("<link rel='alternate' href='https://a.example/amp'>", ""),
        ("", ""),
    ],
)
def test_the_canonical_link_of_a_page(head: str, canonical: str) -> None:
    page = f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>x</body></html>"
    assert canonical_link(page.encode(), "https://b.example/x/y.html") == canonical
    assert canonical_link(b"", "https://b.example/") == ""
    assert canonical_link(b"\x00\xff" * 100, "https://b.example/") == ""

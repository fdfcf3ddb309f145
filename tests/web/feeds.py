"""Feeds, sitemaps and the article pages they link, built at run time for the loopback server.

``Outlets`` is a small news world: outlets publish stories (Indonesian paragraphs), each
outlet has an RSS 2.0 feed, an Atom feed and a news sitemap at ``/<outlet>/rss.xml``,
``/<outlet>/atom.xml`` and ``/<outlet>/sitemap.xml``, and every story a page at
``/<outlet>/<slug>.html``. Publishing more, or taking an outlet down, changes what the next
request sees, as between two mornings.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.web.server import Response, Server, serve

# Distinct stories, each several sentences so that the near-duplicate test has text to compare.
STORIES = {
    "banjir": [
        "Banjir merendam ratusan rumah warga di Kecamatan Sukajadi sejak Senin pagi.",
        "Ketinggian air mencapai satu meter di beberapa titik permukiman padat penduduk.",
        "Badan Penanggulangan Bencana Daerah mengerahkan perahu karet untuk mengevakuasi warga.",
        "Warga berharap pemerintah segera memperbaiki saluran drainase yang tersumbat sampah.",
    ],
    "beras": [
        "Harga beras naik 3,5 persen menjadi Rp 12.500 per kilogram pada bulan Mei.",
        "Kenaikan itu dipicu oleh mundurnya masa panen di sejumlah sentra produksi padi.",
        "Pedagang di Pasar Induk mengatakan pasokan dari Jawa Tengah berkurang separuhnya.",
        "Pemerintah berjanji menggelar operasi pasar untuk menahan laju kenaikan harga.",
    ],
    "tol": [
        "Presiden meresmikan jalan tol sepanjang 40 kilometer pada hari Rabu pagi.",
        "Jalan tol tersebut menghubungkan kawasan industri dengan pelabuhan utama provinsi.",
        "Waktu tempuh antara kedua kota diperkirakan berkurang dari tiga jam menjadi satu jam.",
        "Tarif tol akan diberlakukan setelah masa uji coba gratis selama dua pekan.",
    ],
    "taman": [
        "Pemerintah kota berencana membangun taman baru di pusat kota tahun depan.",
        "Taman seluas dua hektare itu akan dilengkapi jalur sepeda dan area bermain anak.",
        "Anggaran pembangunan diambil dari dana alokasi khusus pemerintah pusat.",
        "Wali kota meminta warga ikut menjaga kebersihan taman setelah dibuka nanti.",
    ],
    "gempa": [
        "Gempa berkekuatan 5,2 mengguncang wilayah pesisir selatan pada Kamis malam.",
        "Pusat gempa berada di laut pada kedalaman sepuluh kilometer dan tidak berpotensi tsunami.",
        "Sejumlah bangunan sekolah dilaporkan mengalami retak pada bagian dinding.",
        "Warga sempat berhamburan keluar rumah karena guncangan terasa cukup kuat.",
    ],
    "sekolah": [
        "Dinas Pendidikan membuka pendaftaran siswa baru secara daring mulai pekan depan.",
        "Orang tua dapat memilih tiga sekolah terdekat berdasarkan zonasi tempat tinggal.",
        "Panitia menyediakan posko bantuan bagi warga yang kesulitan mengakses internet.",
        "Pengumuman hasil seleksi dijadwalkan pada akhir bulan depan.",
    ],
}
TITLES = {
    "banjir": "Banjir Rendam Ratusan Rumah di Sukajadi",
    "beras": "Harga Beras Naik 3,5 Persen",
    "tol": "Presiden Resmikan Jalan Tol 40 Kilometer",
    "taman": "Kota Bangun Taman Baru Tahun Depan",
    "gempa": "Gempa 5,2 Guncang Pesisir Selatan",
    "sekolah": "Pendaftaran Siswa Baru Dibuka Daring",
}


def article_page(
    outlet: str, slug: str, date: str, *, named: bool = True, canonical: str = ""
) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in STORIES[slug])
    site = f"<meta property='og:site_name' content='{outlet}'>" if named else ""
    if canonical:
        site += f"<link rel='canonical' href='{html.escape(canonical)}'>"
    return (
        "<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'>"
        f"<title>{html.escape(TITLES[slug])} - {outlet}</title>"
        f"{site}<meta name='date' content='{date}'></head><body><header>{outlet}</header>"
        f"<article><h1>{html.escape(TITLES[slug])}</h1>{body}</article>"
        "<footer>Hak cipta dilindungi undang-undang.</footer></body></html>"
    ).encode()


@dataclass
class Outlets:
    """Outlets and their stories: ``(slug, date)`` per outlet, newest last."""

    stories: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    down: set[str] = field(default_factory=set)  # outlets whose feeds answer 500
    unnamed: set[str] = field(default_factory=set)  # outlets whose pages give no site name
    canonical: dict[str, str] = field(default_factory=dict)  # page path -> its canonical link

    def publish(self, outlet: str, slug: str, date: str) -> None:
        self.stories.setdefault(outlet, []).append((slug, date))

    def routes(self, base: str) -> dict[str, Response]:
        routes: dict[str, Response] = {}
        for outlet, stories in self.stories.items():
            for slug, date in stories:
                path = f"/{outlet}/{slug}.html"
                canonical = self.canonical.get(path, "")
                routes[path] = Response(
                    article_page(
                        outlet,
                        slug,
                        date,
                        named=outlet not in self.unnamed,
                        canonical=base + canonical if canonical.startswith("/") else canonical,
                    ),
                    headers={"Content-Type": "text/html"},
                )
            feeds = {
                "rss.xml": (rss(base, outlet, stories), "application/rss+xml"),
                "atom.xml": (atom(base, outlet, stories), "application/atom+xml"),
                "sitemap.xml": (sitemap(base, outlet, stories), "application/xml"),
            }
            for name, (body, media) in feeds.items():
                if outlet in self.down:
                    routes[f"/{outlet}/{name}"] = Response(b"down", 500)
                else:
                    routes[f"/{outlet}/{name}"] = Response(body, headers={"Content-Type": media})
        return routes

    @contextmanager
    def served(self) -> Iterator[Server]:
        """A loopback server answering with these outlets' feeds and pages (``refresh`` after
        publishing more)."""
        with serve({}) as server:
            self.refresh(server)
            yield server

    def refresh(self, server: Server) -> None:
        """Make ``server`` answer with what the outlets have now."""
        server.routes.clear()
        server.routes.update(self.routes(server.url("")))


def rss(base: str, outlet: str, stories: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f"<item><title>{html.escape(TITLES[slug])}</title>"
        f"<link>{base}/{outlet}/{slug}.html?utm_source=rss</link>"
        f"<guid isPermaLink='false'>{outlet}-{slug}</guid>"
        f"<pubDate>{_rfc822(date)}</pubDate></item>"
        for slug, date in reversed(stories)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{outlet}</title><link>{base}/{outlet}/</link>{items}</channel></rss>"
    ).encode()


def atom(base: str, outlet: str, stories: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<entry><title>{html.escape(TITLES[slug])}</title>"
        f"<link rel='alternate' href='{base}/{outlet}/{slug}.html'/>"
        f"<id>tag:{outlet},2024:{slug}</id><updated>{date}T08:00:00Z</updated></entry>"
        for slug, date in reversed(stories)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>{outlet}</title><id>tag:{outlet},2024:feed</id>{entries}</feed>"
    ).encode()


def sitemap(base: str, outlet: str, stories: list[tuple[str, str]]) -> bytes:
    urls = "".join(
        f"<url><loc>{base}/{outlet}/{slug}.html</loc><news:news><news:publication_date>"
        f"{date}</news:publication_date><news:title>{html.escape(TITLES[slug])}</news:title>"
        "</news:news></url>"
        for slug, date in stories
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
        "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>"
        f"{urls}</urlset>"
    ).encode()


def _rfc822(date: str) -> str:
    from datetime import datetime
    from email.utils import format_datetime

    return format_datetime(datetime.fromisoformat(f"{date}T08:00:00+00:00"))

"""Realistic Indonesian news pages, built at run time from an article's title and paragraphs.

Six layouts modelled on the markup of kompas, detik, tribun, CNN Indonesia, antara and an old
table-based site: navigation, a ticker, breadcrumbs, bylines, photo captions, inline "Baca
juga" links, an advertisement block between two halves of the body, ``<br><br>`` paragraphs,
entities, related news, comments, a footer and JSON-LD. Each page knows its truth (the title
and body paragraphs) and its boilerplate (every text that must not come out), which is what the
tests and ``benchmarks/extraction.py`` score against. No article text is stored here: the tests
write their own short paragraphs, the benchmark reads the shared corpus.
"""

from __future__ import annotations

import html
import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

KOMPAS_FOOTER = (
    "Copyright 2008 - 2024 PT. Kompas Cyber Media (Kompas Gramedia Digital Group). "
    "All Rights Reserved."
)
DETIK_VIDEO = "Tonton juga video: Detik-detik evakuasi warga"
DETIK_FOOTER = "detikNetwork | Redaksi | Pedoman Media Siber | Karir | Kotak Pos"
TRIBUN_REPOST = "Artikel ini telah tayang di Tribunnews.com dengan judul "
CNN_FOOTER = "© 2024 CNN Indonesia, a Trans Media company. All rights reserved."
ANTARA_FOOTER = (
    "Dilarang keras mengambil konten, melakukan crawling atau pengindeksan otomatis untuk AI "
    "di situs web ini tanpa izin tertulis dari Kantor Berita ANTARA."
)
TABLE_FOOTER = "Hak cipta © 2003-2024 Warta Daerah. Dilarang mengutip tanpa izin."


@dataclass
class Page:
    layout: str
    title: str
    paragraphs: list[str]
    html: str = ""
    encoding: str = "utf-8"
    boilerplate: list[str] = field(default_factory=list)  # texts that must not come out
    author: str = "Rina Wulandari"
    date: str = "2024-03-14"
    site: str = ""

    @property
    def data(self) -> bytes:
        return self.html.encode(self.encoding, errors="xmlcharrefreplace")


def esc(text: str) -> str:
    """HTML-escape, with named entities for the characters news CMSs write as entities."""
    text = html.escape(text, quote=False)
    for char, entity in (("“", "&ldquo;"), ("”", "&rdquo;"), ("’", "&rsquo;"), ("–", "&ndash;")):
        text = text.replace(char, entity)
    return text


class _Kit:
    """The boilerplate a page gets, recorded as it is written."""

    def __init__(self, page: Page, rng: random.Random, related: Sequence[str]) -> None:
        self.page, self.rng = page, rng
        self.related = list(related) or ["Harga Cabai Naik Jelang Ramadhan"]

    def bp(self, text: str) -> str:
        self.page.boilerplate.append(text)
        return esc(text)

    def headline(self) -> str:
        return self.rng.choice(self.related)

    def nav(self, items: Sequence[str]) -> str:
        links = "".join(f'<li><a href="/{i.lower()}">{self.bp(i)}</a></li>' for i in items)
        return f'<nav class="menu"><ul>{links}</ul></nav>'

    def related_list(self, label: str, count: int = 4) -> str:
        items = "".join(
            f'<li><a href="/read/{n}">{self.bp(self.headline())}</a></li>' for n in range(count)
        )
        return f'<div class="related"><h3>{self.bp(label)}</h3><ul>{items}</ul></div>'

    def comments(self) -> str:
        texts = [
            "Semoga cepat selesai masalahnya, kasihan warga yang terdampak.",
            "Pemerintah harus tegas, jangan cuma janji terus setiap tahun.",
        ]
        body = "".join(
            f'<div class="comment"><b>{self.bp(name)}</b><p>{self.bp(t)}</p></div>'
            for name, t in zip(("budi_88", "sari.dewi"), texts, strict=True)
        )
        return f'<section id="comments"><h4>{self.bp("Komentar Pembaca")}</h4>{body}</section>'

    def json_ld(self, site: str) -> str:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": self.page.title,
            "datePublished": f"{self.page.date}T08:15:00+07:00",
            "author": {"@type": "Person", "name": self.page.author},
            "publisher": {"@type": "Organization", "name": site},
        }
        return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def _halves(paragraphs: Sequence[str]) -> tuple[list[str], list[str]]:
    middle = max(1, len(paragraphs) // 2)
    return list(paragraphs[:middle]), list(paragraphs[middle:])


def _head(page: Page, site: str, kit: _Kit, *, og: bool = True, charset: str = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    og_tags = (
        f'<meta property="og:title" content="{html.escape(page.title)}">'
        f'<meta property="og:site_name" content="{site}">'
        if og
        else ""
    )
    return (
        f"<head>{meta}<title>{esc(page.title)} - {site}</title>{og_tags}"
        f'<meta name="author" content="{page.author}">'
        f"<style>.menu{{display:flex}}</style>"
        f"<script>window.dataLayer=window.dataLayer||[];function gtag(){{}}</script>"
        f"{kit.json_ld(site)}</head>"
    )


def kompas(page: Page, kit: _Kit) -> str:
    page.site = "KOMPAS.com"
    first, second = _halves(page.paragraphs)
    body = "".join(f"<p>{esc(p)}</p>" for p in first)
    body += f"<p><strong>{kit.bp('Baca juga: ' + kit.headline())}</strong></p>"
    body += "".join(f"<p>{esc(p)}</p>" for p in second)
    return (
        f"<!DOCTYPE html><html lang='id'>{_head(page, 'KOMPAS.com', kit)}<body>"
        f"<header>{kit.nav(['Beranda', 'Nasional', 'Regional', 'Megapolitan', 'Tren'])}</header>"
        f'<div class="ticker">{kit.bp("Terkini: " + kit.headline())}</div>'
        f'<ol class="breadcrumb"><li>{kit.bp("Home")}</li><li>{kit.bp("Regional")}</li></ol>'
        f'<h1 class="read__title">{esc(page.title)}</h1>'
        f'<div class="read__time">{kit.bp("Kompas.com - 14/03/2024, 08:15 WIB")}</div>'
        f'<div class="read__author">{kit.bp("Penulis " + page.author)}</div>'
        f'<figure><img src="/foto.jpg" alt="ilustrasi"><figcaption>'
        f"{kit.bp('Warga melintas di lokasi kejadian, Kamis (14/3/2024). KOMPAS.com/ADI')}"
        f"</figcaption></figure>"
        f'<div class="read__content"><div class="clearfix">{body}</div></div>'
        f"<div class='tag'>{kit.bp('Tag: banjir, cuaca ekstrem')}</div>"
        f"{kit.related_list('Berita Terkait')}{kit.comments()}"
        f"<footer><p>{kit.bp(KOMPAS_FOOTER)}</p></footer>"
        f"</body></html>"
    )


def detik(page: Page, kit: _Kit) -> str:
    page.site = "detikNews"
    first, second = _halves(page.paragraphs)
    ad = (
        f'<div class="parallaxindetail scrollpage"><div class="ads-label">'
        f"{kit.bp('ADVERTISEMENT')}</div><div class='ads-scroll'>"
        f"{kit.bp('SCROLL TO CONTINUE WITH CONTENT')}</div></div>"
    )
    link = (
        f'<table class="linksisip"><tr><td><div class="lihatjg"><strong>'
        f"{kit.bp('Baca juga:')}</strong><a href='/x'>{kit.bp(kit.headline())}</a>"
        f"</div></td></tr></table>"
    )
    body = "".join(f"<p>{esc(p)}</p>" for p in first) + ad + link
    body += "".join(f"<p>{esc(p)}</p>" for p in second)
    body += f"<p><strong>{kit.bp('(aik/aik)')}</strong></p>"
    return (
        f"<!DOCTYPE html><html>{_head(page, 'detikNews', kit)}<body>"
        f"{kit.nav(['detikNews', 'Berita', 'Daerah', 'Internasional', 'Kolom', 'Foto'])}"
        f'<article class="detail"><div class="detail__header">'
        f'<h1 class="detail__title">{esc(page.title)}</h1>'
        f'<div class="detail__author">{kit.bp(page.author + " - detikNews")}</div>'
        f'<div class="detail__date">{kit.bp("Kamis, 14 Mar 2024 08:15 WIB")}</div></div>'
        f'<div class="detail__media"><figure><img src="/a.jpg"><figcaption>'
        f"{kit.bp('Foto: Lokasi kejadian (dok. Istimewa)')}</figcaption></figure></div>"
        f'<div class="detail__body-text itp_bodycontent">{body}</div>'
        f'<div class="detail__body-tag">{kit.bp(DETIK_VIDEO)}</div>'
        f"</article>{kit.related_list('Berita Terkait', 5)}"
        f"<footer>{kit.bp(DETIK_FOOTER)}</footer>"
        f"</body></html>"
    )


def tribun(page: Page, kit: _Kit) -> str:
    page.site = "Tribunnews.com"
    lead = kit.bp(f"Laporan Wartawan Tribunnews.com, {page.author}")
    first, second = _halves(page.paragraphs)
    text = "<br><br>".join(esc(p) for p in first)
    text += f"<br><br><strong>{kit.bp('Baca juga: ' + kit.headline())}</strong><br><br>"
    text += "<br><br>".join(esc(p) for p in second)
    return (
        f"<!DOCTYPE html><html>{_head(page, 'Tribunnews.com', kit, og=False)}<body>"
        f'<div id="header">{kit.nav(["Home", "Nasional", "Regional", "Bisnis", "Sport"])}</div>'
        f'<div class="breadcrumb">{kit.bp("Home » Regional »")}</div>'
        f'<h1 id="arttitle">{esc(page.title)}</h1>'
        f'<div class="credit">{kit.bp(f"Penulis: {page.author} | Editor: Hasanudin Aco")}</div>'
        f'<div class="side-article txt-article multi-fontsize"><p><strong>{lead}</strong></p>'
        f"<p>{text}</p>"
        f"<p>{kit.bp(TRIBUN_REPOST + kit.headline())}</p>"
        f"</div>{kit.related_list('Berita Populer')}"
        f"<div id='footer'>{kit.bp('Copyright © 2024 Tribunnews.com. All Right Reserved')}</div>"
        f"</body></html>"
    )


def cnn(page: Page, kit: _Kit) -> str:
    page.site = "CNN Indonesia"
    first, second = _halves(page.paragraphs)
    ad = (
        f"<div class='paradetail'><div class='ads'>{kit.bp('ADVERTISEMENT')}"
        f"<br>{kit.bp('SCROLL TO RESUME CONTENT')}</div></div>"
    )
    body = "".join(f"<p>{esc(p)}</p>" for p in first) + ad
    body += f"<p>{kit.bp('Lihat Juga : ' + kit.headline())}</p>"
    body += "".join(f"<p>{esc(p)}</p>" for p in second)
    body += f"<p>{kit.bp('(ain/has)')}</p>"
    return (
        f"<!DOCTYPE html><html>{_head(page, 'CNN Indonesia', kit)}<body>"
        f"{kit.nav(['Nasional', 'Internasional', 'Ekonomi', 'Olahraga', 'Teknologi'])}"
        f'<div class="breaking">{kit.bp("BREAKING NEWS: " + kit.headline())}</div>'
        f'<div class="container"><h1 class="title">{esc(page.title)}</h1>'
        f'<div class="date">{kit.bp("CNN Indonesia | Kamis, 14 Mar 2024 08:15 WIB")}</div>'
        f'<div class="media_artikel"><img src="/i.jpg"><span class="caption">'
        f"{kit.bp('Ilustrasi. (Foto: ANTARA FOTO/Aditya Pradana Putra)')}</span></div>"
        f'<div class="detail-text">{body}</div></div>'
        f"{kit.related_list('BACA HALAMAN BERIKUTNYA', 3)}"
        f"<footer>{kit.bp(CNN_FOOTER)}</footer>"
        f"</body></html>"
    )


def antara(page: Page, kit: _Kit) -> str:
    """A windows-1252 page (``page.encoding``); its ``<meta>`` charset is optional."""
    page.site = "ANTARA News"
    page.encoding = "cp1252"
    text = "<br /><br />".join(esc(p) for p in page.paragraphs)
    return (
        f"<!DOCTYPE html><html>{_head(page, 'ANTARA News', kit, charset='')}<body>"
        f"{kit.nav(['Terkini', 'Politik', 'Hukum', 'Ekonomi', 'Metro', 'Foto', 'Video'])}"
        f'<h1 class="post-title">{esc(page.title)}</h1>'
        f'<p class="text-muted">{kit.bp("Kamis, 14 Maret 2024 08:15 WIB")}</p>'
        f'<figure><img src="/f.jpg"><figcaption>{kit.bp("Foto: ANTARA/Muhammad Iqbal")}'
        f"</figcaption></figure>"
        f'<div class="post-content clearfix">{text}<br /><br />'
        f"{kit.bp('Baca juga: ' + kit.headline())}<br /><br />"
        f'<p class="text-muted">{kit.bp("Pewarta: " + page.author)}<br />'
        f"{kit.bp('Editor: Budi Santoso')}<br />"
        f"{kit.bp('COPYRIGHT © ANTARA 2024')}</p></div>"
        f"{kit.related_list('Berita Terkait')}"
        f"<footer>{kit.bp(ANTARA_FOOTER)}</footer>"
        f"</body></html>"
    )


def table_site(page: Page, kit: _Kit) -> str:
    """An old table layout: ``<font>``, ``<td>`` text, paragraphs split by ``<br><br>``."""
    page.site = "Warta Daerah"
    first, second = _halves(page.paragraphs)
    text = "<br><br>\n".join(esc(p) for p in first)
    text += f"<br><br>\n<i>{kit.bp('Simak juga: ' + kit.headline())}</i><br><br>\n"
    text += "<br><br>\n".join(esc(p) for p in second)
    return (
        f"<html>{_head(page, 'Warta Daerah', kit, og=False)}<body bgcolor='#ffffff'>"
        f"<table width='100%'><tr><td colspan='2'>"
        f"{kit.nav(['Depan', 'Daerah', 'Olahraga', 'Kontak'])}</td></tr>"
        f"<tr><td width='160' valign='top'>{kit.related_list('Berita Lainnya', 6)}</td>"
        f"<td valign='top'><font face='Arial' size='4'><b>{esc(page.title)}</b></font><br>"
        f"<font size='1'>{kit.bp('Oleh: ' + page.author)}</font><br><br>"
        f"<font face='Arial' size='2'>{text}</font><br><br>"
        f"<font size='1'>{kit.bp('(red)')}</font>"
        f"{kit.comments()}</td></tr>"
        f"<tr><td colspan='2'><center>{kit.bp(TABLE_FOOTER)}</center></td></tr>"
        f"</table></body></html>"
    )


def kumparan(page: Page, kit: _Kit) -> str:
    """Held out: written after the patterns, with other spellings of the same boilerplate."""
    page.site = "kumparanNEWS"
    first, second = _halves(page.paragraphs)
    glued = f" <strong>{kit.bp('Baca Juga :')}</strong> <a href='/x'>{kit.bp(kit.headline())}</a>"
    body = "".join(f"<p>{esc(p)}</p>" for p in first[:-1])
    body += f"<p>{esc(first[-1])}{glued}</p>"
    box = "".join(f"<li><a href='/r{n}'>{kit.bp(kit.headline())}</a></li>" for n in range(3))
    body += f'<div class="baca-juga"><span>{kit.bp("BACA JUGA")}</span><ul>{box}</ul></div>'
    body += f"<div class='ad'>{kit.bp('Scroll untuk melanjutkan membaca')}</div>"
    body += "".join(f"<p>{esc(p)}</p>" for p in second)
    body += f"<p>{kit.bp('Simak video pilihan berikut ini:')}</p>"
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{esc(page.title)} | kumparan.com</title>"
        f'<meta property="og:title" content="{html.escape(page.title)} | kumparan.com">'
        f"</head><body><div id='nav'>{kit.nav(['News', 'Bisnis', 'Bola', 'Food', 'Travel'])}"
        f"<span>{kit.bp('Ikuti Kami')}</span></div>"
        f'<main><h1>{esc(page.title)}</h1><div class="byline"><span>{kit.bp("kumparanNEWS")}'
        f"</span> <time>{kit.bp('Jum’at 15 Maret 2024 10:30 WIB')}</time></div>"
        f"<div class='story'>{body}</div>"
        f"<p class='credit'>{kit.bp('Penulis : ' + page.author)}</p>"
        f"<p class='credit'>{kit.bp('Editor : Sari Dewi')}</p>"
        f"<div class='share'>{kit.bp('Bagikan artikel ini')}</div></main>"
        f"<aside>{kit.related_list('Berita Populer', 5)}</aside>"
        f"<footer>{kit.bp('© 2024 kumparan.com. Seluruh hak cipta dilindungi.')}</footer>"
        f"</body></html>"
    )


def okezone(page: Page, kit: _Kit) -> str:
    """Held out: a logo in its own ``<h1>``, captions in paragraphs, an ad between halves."""
    page.site = "Okezone"
    first, second = _halves(page.paragraphs)
    body = f"<p class='caption'>{kit.bp('Ilustrasi gedung pemerintahan (Foto: Okezone/Arif)')}</p>"
    body += "".join(f"<p>{esc(p)}</p>" for p in first)
    body += f"<div class='ads300'><small>{kit.bp('Advertisement')}</small></div>"
    body += "".join(f"<p>{esc(p)}</p>" for p in second)
    body += f"<p>{kit.bp('Dapatkan berita terbaru setiap hari dari Okezone.com')}</p>"
    return (
        f"<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'>"
        f"<title>{esc(page.title)} : Okezone News</title></head><body>"
        f"<header><div class='logo'><a href='/'>{kit.bp('Okezone News')}</a></div>"
        f"{kit.nav(['News', 'Economy', 'Celebrity', 'Sports', 'Techno'])}</header>"
        f"<div class='container-wrap'><div class='title'><h1>{esc(page.title)}</h1></div>"
        f"<div class='reporter'>{kit.bp(page.author + ', Jurnalis')} · "
        f"{kit.bp('Jum’at 15 Maret 2024 10:30 WIB')}</div>"
        f"<div id='contentx' class='read'>{body}</div>"
        f"<div class='tag'>{kit.bp('Tags: pemerintah, kebijakan')}</div></div>"
        f"{kit.related_list('Berita Terkait', 4)}"
        f"<footer>{kit.bp('Copyright © 2024 Okezone.com, All Rights Reserved')}</footer>"
        f"</body></html>"
    )


# Written after the boilerplate patterns, to measure how they carry over to unseen markup.
HELD_OUT: dict[str, Callable[[Page, _Kit], str]] = {"kumparan": kumparan, "okezone": okezone}

LAYOUTS: dict[str, Callable[[Page, _Kit], str]] = {
    "kompas": kompas,
    "detik": detik,
    "tribun": tribun,
    "cnn": cnn,
    "antara": antara,
    "table": table_site,
}


def build_page(
    layout: str,
    title: str,
    paragraphs: Sequence[str],
    *,
    related: Sequence[str] = (),
    seed: int = 0,
    meta_charset: bool = True,
) -> Page:
    """A page of ``layout``; ``meta_charset`` False drops the ``<meta charset>`` declaration."""
    page = Page(layout, title, list(paragraphs))
    page.html = {**LAYOUTS, **HELD_OUT}[layout](page, _Kit(page, random.Random(seed), related))
    if page.encoding != "utf-8" and meta_charset:
        page.html = page.html.replace("<head>", '<head><meta charset="windows-1252">', 1)
    elif not meta_charset:
        page.html = re.sub(r'<meta charset="[^"]*">', "", page.html)
    return page


def title_from_url(url: str) -> str:
    """A headline from a news URL's slug: ``…/ketua-mpr-mustahil-…`` → ``Ketua Mpr Mustahil …``."""
    slug = url.rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"\.\w+$|^\d+[-_]?|[-_]\d+$", "", slug)
    words = [w for w in re.split(r"[-_]+", slug) if w and not w.isdigit()]
    return " ".join(w.capitalize() for w in words[:14])

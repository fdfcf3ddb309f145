"""Is this HTML? The WHATWG MIME-sniffing rule for HTML, on the first bytes of the input.

A text file never starts with one of these tags, so ``--input-format auto`` keeps every plain
text input on exactly the text path it had before HTML was read at all.
"""

from __future__ import annotations

import re

# WHATWG "MIME Sniffing", 7.1 (the HTML patterns), plus the HTML5 sectioning tags a fragment
# saved from a page may start with; each must be followed by a space or ">".
_TAGS = (
    b"!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|"
    b"meta|link|article|section|main|header|nav|span|ul|noscript"
)
_HTML_START = re.compile(rb"<(?:" + _TAGS + rb")[\s>/]|<!--", re.IGNORECASE)
_XHTML = re.compile(rb"<\?xml[^>]*>\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+)?html", re.I | re.S)


def looks_like_html(data: bytes) -> bool:
    """True when ``data`` starts (after a BOM and whitespace) like an HTML document."""
    head = data[:1024]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    elif head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        head = head[2:].replace(b"\x00", b"")  # UTF-16: the tags are ASCII
    head = head.lstrip()
    return bool(_HTML_START.match(head) or _XHTML.match(head))

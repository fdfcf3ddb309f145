"""The terminal: every line it writes is printable, whatever the message quotes."""

from __future__ import annotations

import io

from translate_cli.humanize import printable
from translate_cli.terminal import Environment, _label

ESCAPES = "\x1b]52;c;eA==\x07\x1b[2J\x9b2J\u202e\u2066\r\x00\x7f\x85"


def _environment() -> Environment:
    return Environment(stdin=io.BytesIO(), stdout=io.BytesIO(), stderr=io.StringIO())


def test_printable_drops_what_a_terminal_would_act_on_and_keeps_text() -> None:
    assert printable(f"a{ESCAPES}b") == "a]52;c;eA==[2J2Jb"
    text = "Jakarta\tBandung\nSurabaya — é ü 日本 ✓ “kutip” \u200b"
    assert printable(text) == text


def test_error_and_notice_lines_are_printable() -> None:
    env = _environment()
    env.error(f"cannot read nama{ESCAPES}.txt", hint=f"hint {ESCAPES}")
    env.notice(f"HTTP 404 Not{ESCAPES}Found")
    written = env.stderr.getvalue()  # type: ignore[attr-defined]
    assert written == (
        "translate-cli: error: cannot read nama]52;c;eA==[2J2J.txt\n"
        "translate-cli: hint ]52;c;eA==[2J2J\n"
        "translate-cli: HTTP 404 Not]52;c;eA==[2J2JFound\n"
    )


def test_progress_labels_are_printable_and_never_markup() -> None:
    from rich.text import Text

    label = f"Fetching [::1]{ESCAPES} [bold]x[/bold] [red]"
    shown = Text.from_markup(_label(label))  # as rich reads a progress or spinner label
    assert shown.plain == printable(label) and not shown.spans

"""`make demo`: the whole pipeline on the example article.

With the real model when it is cached or can be downloaded (with progress on a terminal).
Offline, which is how a first run often starts, it says so calmly, builds a random-weight model
of the same layout in DEMO_DIR once, and runs the same pipeline on that: the segmentation and
summary are real, its English is noise. The notice is repeated after the output, which scrolls
the first one away on a terminal.

Usage: python tools/demo.py DEMO_DIR
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "artikel-banjir-semarang.txt"


def main() -> int:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    demo_dir = Path(sys.argv[1]).resolve()  # absolute: the notice is copied from anywhere
    model_args: list[str] = []
    unavailable = _unavailable_reason()
    if unavailable is not None:
        notice = _offline_notice(unavailable, demo_dir)
        print(notice, file=sys.stderr, flush=True)
        if not demo_dir.is_dir():
            builder = ROOT / "tools" / "build_demo_model.py"
            subprocess.run([sys.executable, str(builder), str(demo_dir)], check=True)
        model_args = ["--model", str(demo_dir)]
    command = [sys.executable, "-m", "translate_cli", "run", str(EXAMPLE), *model_args]
    status = subprocess.call(command)
    if unavailable is not None and status == 0:
        print(notice, file=sys.stderr, flush=True)
    return status


def _unavailable_reason() -> str | None:
    """Why the configured model cannot be had here (None: it is cached or was downloaded, or
    the settings are wrong, which the run itself then reports)."""
    from translate_cli.errors import ModelUnavailableError, TranslateCliError
    from translate_cli.models import resolve_model
    from translate_cli.pipeline import resolve_settings

    try:
        resolve_model(resolve_settings({}).model, progress=sys.stderr.isatty())
    except ModelUnavailableError as error:
        return error.message
    except TranslateCliError:
        return None
    return None


def _offline_notice(reason: str, demo_dir: Path) -> str:
    lines = (
        f"{reason}.",
        "so this runs on a random-weight demo model instead: the segmentation and summary are "
        "real, its English is noise.",
        f"on your own text, offline: translate-cli run FILE --model {demo_dir}",
        "for real translations: 'translate-cli models pull' where the Hugging Face hub can be "
        "reached (docs/models.md).",
    )
    return "\n".join(f"make demo: {line}" for line in lines)


if __name__ == "__main__":
    sys.exit(main())

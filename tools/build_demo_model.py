"""Build a random-weight MarianMT model in OPUS-MT layout for `make demo` without hub access.

Usage: python tools/build_demo_model.py OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script (`make demo`): the repository root, so that `tools` is importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.model_builders import build_marian_model


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    example = Path(__file__).resolve().parents[1] / "examples" / "artikel-banjir-semarang.txt"
    lines = [line for line in example.read_text(encoding="utf-8").splitlines() if line.strip()]
    build_marian_model(Path(sys.argv[1]), lines, spm_vocab_size=300, architecture={"d_model": 32})
    print(f"demo model written to {sys.argv[1]}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Prompt templates for the LLM summariser: find them by name, check them, fill them in.

Templates are plain text with ``$name`` / ``${name}`` placeholders (``$$`` is a literal ``$``).
They are only ever substituted into, never evaluated. A template may use only the variables in
``VARIABLES``; one that names anything else is rejected when loaded, and rendering without a
value for a variable the template uses is an error naming that variable.

Lookup for a name, first hit wins:

1. an explicit file (``--prompt [NAME=]FILE``);
2. ``<config dir>/prompts/NAME.txt``, the config dir being ``$TRANSLATE_CLI_CONFIG_DIR`` or
   typer's per-user app dir for ``translate-cli``;
3. the copy shipped with the package (the top-level ``prompts/`` folder of the source tree).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from translate_cli.errors import UsageError
from translate_cli.paths import prompts_dir as user_prompts_dir

if TYPE_CHECKING:  # importlib.resources.abc is 3.11+; only the type is needed
    from importlib.resources.abc import Traversable

# Every variable a template may use; the summariser always supplies all of them.
VARIABLES: Mapping[str, str] = {
    "article": "the Indonesian article, paragraphs separated by blank lines",
    "translation": "its English translation in the same layout, or empty without translation",
    "sentences": "the requested length of the abstract, in sentences",
}

SYSTEM = "system"
SUMMARY_EN = "summary-en"
SUMMARY_ID = "summary-id"
SHIPPED_NAMES = (SYSTEM, SUMMARY_EN, SUMMARY_ID)

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")


class PromptError(UsageError):
    """A template that cannot be used: unreadable, unknown placeholder, missing value."""


@dataclass(frozen=True)
class PromptTemplate:
    """One loaded, checked template. ``origin`` says where it came from, for messages."""

    name: str
    text: str
    origin: str

    def __post_init__(self) -> None:
        unknown = sorted(self.variables() - VARIABLES.keys())
        if unknown:
            known = ", ".join(f"${v}" for v in VARIABLES)
            raise PromptError(
                f"prompt {self.name!r} ({self.origin}) uses unknown placeholder "
                f"${unknown[0]}; known: {known}"
            )

    def variables(self) -> frozenset[str]:
        """The placeholders this template uses."""
        found: set[str] = set()
        for match in Template.pattern.finditer(self.text):
            name = match.group("named") or match.group("braced")
            if name is not None:
                found.add(name)
            elif match.group("invalid") is not None:
                line = self.text.count("\n", 0, match.start()) + 1
                raise PromptError(
                    f"prompt {self.name!r} ({self.origin}) line {line}: a '$' that starts no "
                    "placeholder; write $$ for a literal dollar sign"
                )
        return frozenset(found)

    def render(self, values: Mapping[str, object]) -> str:
        """The template with every placeholder replaced; values are inserted as text, once.

        Placeholder-like text inside a value (an article quoting ``$article``) stays as it is:
        substitution is a single pass over the template only.
        """
        missing = sorted(self.variables() - values.keys())
        if missing:
            raise PromptError(
                f"prompt {self.name!r} ({self.origin}) needs a value for ${missing[0]}"
            )
        return Template(self.text).substitute({k: str(v) for k, v in values.items()}).strip()


def shipped_prompts_dir() -> Traversable:
    """The templates that come with the package."""
    # A built wheel carries prompts/ as translate_cli/prompt_templates (pyproject's
    # package-dir); an editable install or a plain checkout has it beside the package.
    packaged = resources.files("translate_cli").joinpath("prompt_templates")
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parent.parent / "prompts"
    if source.is_dir():
        return source
    raise PromptError("the shipped prompt templates are missing; reinstall translate-cli")


def parse_prompt_options(values: Iterable[str]) -> dict[str, Path]:
    """``--prompt`` values as ``{name: file}``: ``NAME=FILE``, or ``FILE`` named after a template.

    ``--prompt my/summary-en.txt`` replaces ``summary-en``; any other bare file name is an error
    because it is not clear which template it replaces.
    """
    overrides: dict[str, Path] = {}
    for value in values:
        name, sep, file = value.partition("=")
        if sep and _NAME.match(name):
            path = Path(file).expanduser()
        else:
            path = Path(value).expanduser()
            name = path.stem
            if name not in SHIPPED_NAMES:
                choices = ", ".join(SHIPPED_NAMES)
                raise PromptError(
                    f"--prompt {value}: cannot tell which prompt this file replaces; name the "
                    f"file after one ({choices}) or write --prompt NAME=FILE"
                )
        if name not in SHIPPED_NAMES:
            raise PromptError(f"--prompt {value}: no prompt named {name!r}")
        if name in overrides:
            raise PromptError(f"--prompt given twice for {name!r}")
        overrides[name] = path
    return overrides


def load_prompt(
    name: str, *, override: Path | None = None, config_dir: Path | None = None
) -> PromptTemplate:
    """Find and check the template ``name``: ``override`` > config dir > shipped."""
    if not _NAME.match(name):
        raise PromptError(f"invalid prompt name {name!r}")
    if override is not None:
        if not override.is_file():
            raise PromptError(f"prompt file not found: {override}")
        return PromptTemplate(name, _read(override), str(override))
    user_file = (config_dir / "prompts" if config_dir else user_prompts_dir()) / f"{name}.txt"
    if user_file.is_file():
        return PromptTemplate(name, _read(user_file), str(user_file))
    shipped = shipped_prompts_dir().joinpath(f"{name}.txt")
    if not shipped.is_file():
        raise PromptError(f"no prompt named {name!r}")
    return PromptTemplate(name, _read(shipped), "shipped")


def _read(path: Traversable) -> str:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PromptError(f"prompt file {path} is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise PromptError(f"cannot read prompt file {path}: {exc.strerror or exc}") from None
    if "\x00" in text:
        raise PromptError(f"prompt file {path} is binary, not text")
    return text


def load_prompts(
    names: Iterable[str] = SHIPPED_NAMES,
    overrides: Mapping[str, Path] | None = None,
    *,
    config_dir: Path | None = None,
) -> dict[str, PromptTemplate]:
    """Load several templates at once, each from its override if ``overrides`` has one."""
    overrides = overrides or {}
    return {
        name: load_prompt(name, override=overrides.get(name), config_dir=config_dir)
        for name in names
    }

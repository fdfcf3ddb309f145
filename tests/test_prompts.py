"""Prompt templates: lookup order, strict placeholders, and shipping them in the wheel."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from translate_cli.errors import ExitStatus
from translate_cli.prompts import (
    SHIPPED_NAMES,
    SUMMARY_EN,
    SUMMARY_ID,
    SYSTEM,
    VARIABLES,
    PromptError,
    PromptTemplate,
    load_prompt,
    load_prompts,
    parse_prompt_options,
    shipped_prompts_dir,
)

ROOT = Path(__file__).resolve().parent.parent
VALUES = {
    "article": "Banjir merendam Jakarta.",
    "translation": "Floods hit Jakarta.",
    "sentences": 2,
}
LEFTOVER = re.compile(r"\$(?:\{?[A-Za-z_])")


def test_every_shipped_template_loads_and_renders_completely() -> None:
    for name in SHIPPED_NAMES:
        template = load_prompt(name)
        assert template.origin == "shipped"
        assert template.variables() <= VARIABLES.keys()
        rendered = template.render(VALUES)
        assert not LEFTOVER.search(rendered), (name, rendered)
    assert {"article", "sentences"} <= load_prompt(SUMMARY_ID).variables()
    assert {"article", "translation", "sentences"} <= load_prompt(SUMMARY_EN).variables()


def test_render_fills_placeholders_once_and_keeps_dollars_in_values() -> None:
    template = PromptTemplate("t", "Read ${article}; cost $$5; $sentences lines.\n", "test")
    # A value that looks like a placeholder is text: substitution does not recurse.
    rendered = template.render({**VALUES, "article": "Harga $translation naik"})
    assert rendered == "Read Harga $translation naik; cost $5; 2 lines."


def test_unknown_placeholder_is_named() -> None:
    with pytest.raises(PromptError, match=r"unknown placeholder \$artikel") as caught:
        PromptTemplate("summary-en", "Summarise $artikel in $sentences.", "my.txt")
    assert caught.value.exit_status == ExitStatus.USAGE
    assert "my.txt" in caught.value.message


def test_missing_value_is_named() -> None:
    template = PromptTemplate("summary-en", "$article\n$translation", "test")
    with pytest.raises(PromptError, match=r"needs a value for \$translation"):
        template.render({"article": "x"})


def test_stray_dollar_is_an_error_with_its_line() -> None:
    with pytest.raises(PromptError, match=r"line 2: .*\$\$"):
        PromptTemplate("t", "$article\ncosts $ 5", "test")


def test_config_dir_overrides_shipped_and_option_overrides_both(
    isolated_env: Path, tmp_path: Path
) -> None:
    user = isolated_env / "config" / "prompts"
    user.mkdir(parents=True)
    (user / "summary-en.txt").write_text("USER $article", encoding="utf-8")
    assert load_prompt(SUMMARY_EN).text == "USER $article"
    assert load_prompt(SUMMARY_ID).origin == "shipped"
    explicit = tmp_path / "mine.txt"
    explicit.write_text("OPTION $article", encoding="utf-8")
    loaded = load_prompts(overrides={SUMMARY_EN: explicit})
    assert loaded[SUMMARY_EN].text == "OPTION $article"
    assert loaded[SUMMARY_EN].origin == str(explicit)
    assert set(loaded) == set(SHIPPED_NAMES)


def test_bad_user_template_fails_when_loaded(isolated_env: Path, tmp_path: Path) -> None:
    user = isolated_env / "config" / "prompts"
    user.mkdir(parents=True)
    (user / "system.txt").write_text("You are $persona.", encoding="utf-8")
    with pytest.raises(PromptError, match=r"\$persona"):
        load_prompt(SYSTEM)
    latin1 = tmp_path / "summary-id.txt"
    latin1.write_bytes("Ringkas $article \xe9".encode("latin-1"))
    with pytest.raises(PromptError, match="not UTF-8"):
        load_prompt(SUMMARY_ID, override=latin1)
    with pytest.raises(PromptError, match="not found"):
        load_prompt(SUMMARY_ID, override=tmp_path / "absent.txt")


def test_prompt_option_values(tmp_path: Path) -> None:
    assert parse_prompt_options(["summary-id=x/a.txt", "dir/summary-en.txt"]) == {
        "summary-id": Path("x/a.txt"),
        "summary-en": Path("dir/summary-en.txt"),
    }
    with pytest.raises(PromptError, match="cannot tell which prompt"):
        parse_prompt_options(["notes.txt"])
    with pytest.raises(PromptError, match="no prompt named 'abstract'"):
        parse_prompt_options(["abstract=a.txt"])
    with pytest.raises(PromptError, match="given twice"):
        parse_prompt_options(["summary-en.txt", "summary-en=b.txt"])
    with pytest.raises(PromptError, match="invalid prompt name"):
        load_prompt("../secrets")


def test_shipped_templates_come_from_the_top_level_folder() -> None:
    # This checkout is an editable install: the templates are read from prompts/ itself.
    shipped = shipped_prompts_dir()
    for name in SHIPPED_NAMES:
        assert shipped.joinpath(f"{name}.txt").read_text(encoding="utf-8") == (
            ROOT / "prompts" / f"{name}.txt"
        ).read_text(encoding="utf-8")


def test_pyproject_ships_prompts_and_every_package() -> None:
    # The wheel maps prompts/ to translate_cli/prompt_templates, which needs an explicit
    # package list; a subpackage missing from it would silently be left out of the wheel.
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    assert setuptools["package-dir"]["translate_cli.prompt_templates"] == "prompts"
    assert "*.txt" in setuptools["package-data"]["translate_cli.prompt_templates"]
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "translate_cli").rglob("__init__.py")
    }
    assert on_disk | {"translate_cli.prompt_templates"} == set(setuptools["packages"])

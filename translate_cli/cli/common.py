"""What the command modules share: their terminal, their settings."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import typer

from translate_cli.config import Settings
from translate_cli.errors import UsageError
from translate_cli.pipeline import resolve_settings
from translate_cli.terminal import Environment

_SETTING_NAMES = {field.name for field in fields(Settings)}


def environment(ctx: typer.Context) -> Environment:
    env = ctx.find_root().obj
    assert isinstance(env, Environment), "commands run through translate_cli.cli.main"
    return env


def settings_from(given: dict[str, Any]) -> Settings:
    """Settings from a command's options: those named like a setting, where given.

    An option left at its "not given" value (None, an empty list) leaves the setting to the
    environment, the config file or the default.
    """
    flags = {k: v for k, v in given.items() if k in _SETTING_NAMES}
    if flags.get("prompts") == []:
        flags["prompts"] = None
    if given.get("no_keep_names"):  # a switch that turns a setting off
        flags["keep_names"] = False
    return resolve_settings(flags)


def check_llm_options(settings: Settings, **given: Any) -> None:
    """The LLM summariser's options (``--llm-url``, ``--llm-model``, ``--prompt``) among a
    command's ``given`` options with another summariser: a usage error naming the first, not a
    silent no-op."""
    if settings.summarizer == "llm":
        return
    flags = {"llm_url": "--llm-url", "llm_model": "--llm-model", "prompts": "--prompt"}
    used = [flag for name, flag in flags.items() if given.get(name)]
    if used:
        raise UsageError(f"{used[0]} needs --summarizer llm")

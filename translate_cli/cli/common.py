"""What the command modules share: their terminal, their settings."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import typer

from translate_cli.config import Settings
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
    return resolve_settings(flags)

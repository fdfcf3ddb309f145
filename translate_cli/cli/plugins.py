"""Plug-ins: the modules ``$TRANSLATE_CLI_PLUGINS`` names (comma-separated), imported at start-up.

A plug-in registers what it brings as it is imported (``ENGINES.register(...)``, a format, a
summariser); the test suite uses this to give a CLI run in a subprocess its fake engine. A module
that cannot be imported is a usage error (exit 2): one line, no traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import import_module

from translate_cli.errors import UsageError

PLUGINS_VARIABLE = "TRANSLATE_CLI_PLUGINS"


def plugin_modules(environ: Mapping[str, str]) -> list[str]:
    return [name.strip() for name in environ.get(PLUGINS_VARIABLE, "").split(",") if name.strip()]


def load_plugins(environ: Mapping[str, str] | None = None) -> None:
    """Import every plug-in module named in the environment (again: a no-op)."""
    for name in plugin_modules(os.environ if environ is None else environ):
        try:
            import_module(name)
        except Exception as error:  # whatever the module raised while loading, said in one line
            reason = str(error) or type(error).__name__
            raise UsageError(f"{PLUGINS_VARIABLE}: cannot import {name!r}: {reason}") from None

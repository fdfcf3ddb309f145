"""The help pages' conventions for arguments, which typer writes its own way.

typer prints a required argument as ``{SOURCE}`` in the usage line and adds its type in the
argument list (``SOURCE <str>``). Here they read as in man pages: ``INPUT...``, ``[INPUT]...``,
``SOURCE [REFERENCE]``, and the list names each argument alone.
"""

from __future__ import annotations

from typing import Any

import typer.core


def argument_name(argument: Any) -> str:
    """An argument's name as help shows it: its metavar, else its name in capitals."""
    return str(argument.metavar or argument.name.upper())


def usage_piece(argument: Any) -> str:
    """``NAME`` when required, ``[NAME]`` when not, ``...`` after either when repeatable."""
    name = argument_name(argument)
    if not argument.required:
        name = f"[{name}]"
    return f"{name}..." if argument.nargs != 1 else name


class ConventionalCommand(typer.core.TyperCommand):
    """A typer command whose usage line and argument list name arguments conventionally."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(usage_piece(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((argument_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

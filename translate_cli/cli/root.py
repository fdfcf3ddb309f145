"""The root command: it lists every command without importing any.

The commands' modules (``commands.py`` and the modules it gathers) declare options whose choices
come from the pipeline's registries, so importing them loads most of the package; a root that
held them made ``translate-cli --help`` pay for all of it. This root knows each command by name
and one-line summary (``COMMANDS``) and imports the commands only when one is run, its own help
is asked for, or completion needs them: click's documented pattern, "Lazily Loading
Subcommands". ``--help`` and ``--version`` load typer and this module, nothing else of ours.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Annotated, Any

import typer
import typer.core

from translate_cli.cli.command_list import COMMANDS
from translate_cli.cli.plain_values import take_plain_values
from translate_cli.terminal import PROG
from translate_cli.version import __version__


@cache
def command_group() -> Any:
    """Every command, built (once) from ``commands.py``: the import the root help avoids."""
    from translate_cli.cli.commands import commands_app

    return typer.main.get_group(commands_app)


class _Commands(Mapping[str, Any]):
    """The root's ``commands``: names from ``COMMANDS``; a command loads when looked up. (typer
    reads the names for its "did you mean" line.)"""

    def __getitem__(self, name: str) -> Any:
        if name not in COMMANDS:
            raise KeyError(name)  # an unknown name fails without loading anything
        return command_group().commands[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class LazyGroup(typer.core.TyperGroup):
    """A group whose commands are loaded when one is resolved, and listed from ``COMMANDS``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        take_plain_values()  # before any option is read: see plain_values.py
        self.commands = _Commands()  # type: ignore[assignment]  # read-only: nothing is added

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """click's command list, from the summaries alone (its own asks every command)."""
        with formatter.section("Commands"):
            formatter.write_dl(list(COMMANDS.items()))


def _print_version(ctx: typer.Context, value: bool) -> None:
    if value:
        env = ctx.find_root().obj
        env.stdout.write(f"{PROG} {__version__}\n".encode())
        env.stdout.flush()
        raise typer.Exit()


app = typer.Typer(
    cls=LazyGroup,
    name=PROG,
    help="Translate Indonesian news into English, sentence by sentence, and summarise it.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


@app.callback()
def _root(
    traceback: Annotated[
        bool,
        typer.Option(
            "--traceback",
            help="Show the Python traceback on errors, for bug reports (anywhere on the line).",
            show_default=False,
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_print_version,
            help="Print the version and exit.",
            show_default=False,
        ),
    ] = False,
) -> None:
    """The --traceback flag itself is read by ``main`` wherever it stands."""

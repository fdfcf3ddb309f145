"""Plain option values are taken without typer's pydantic coercion (cli/plain_values.py), and
every option still gets exactly what typer's own coercion gives it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer._coercion
import typer.core
from typer._click import Context
from typer._click.exceptions import BadParameter

from tests.helpers import invoke
from translate_cli.cli.plain_values import UNSURE, plain, take_plain_values
from translate_cli.cli.root import command_group

# Values a command line, an environment variable or a default can hand an option.
SAMPLES: dict[Any, list[Any]] = {
    str: ["abc", "", "-", "3", "Jakarta ünï", "  x  "],
    bool: [True, False, "true", "no", "", "maybe"],
    int: [
        0,
        3,
        "0",
        "7",
        "-3",
        "007",
        "1e3",
        " 5",
        "+5",
        "abc",
        "1",
        "1000",
        "1001",
        "50001",
        "99999999999999999999",
        "2.5",
        7.0,
    ],
    float: [
        0.5,
        2,
        "0.5",
        "1",
        "-2.25",
        "1e3",
        "abc",
        "0.05",
        "0.1",
        "1000",
        "1000.5",
        " 2",
        "nan",
        "inf",
    ],
    list[str]: [("a", "b"), (), ["x"], ("a", 1)],
}


def _parameters(command: Any) -> Iterator[tuple[Any, Any]]:
    for param in command.params:
        yield command, param
    for sub in getattr(command, "commands", {}).values():
        yield from _parameters(sub)


def _outcome(runtime: Any, value: Any, param: Any, ctx: Context) -> tuple[str, Any]:
    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
    except BadParameter as error:
        return "error", error.format_message()
    return type(result).__name__, repr(result)  # repr: nan equals nan


def _every_plain_parameter() -> list[tuple[Any, Any]]:
    found = [
        (command, param)
        for command, param in _parameters(command_group())
        if getattr(param, "type_descriptor", None) is not None
        and param.type_descriptor.annotation in SAMPLES
    ]
    return found


def test_every_option_gets_what_typers_own_coercion_gives_it() -> None:
    take_plain_values()
    ours = getattr(typer.core, "build_runtime_param")  # noqa: B009  # private to typer
    theirs = typer._coercion.build_runtime_param
    assert getattr(ours, "plain_first", False), "the plain path is not installed"
    parameters = _every_plain_parameter()
    kinds = {param.type_descriptor.annotation for _, param in parameters}
    assert kinds == set(SAMPLES), kinds  # each kind is exercised: no sample list goes unused
    compared = taken = 0
    for command, param in parameters:
        ctx = Context(command)
        descriptor = param.type_descriptor
        for value in SAMPLES[descriptor.annotation]:
            mine = _outcome(ours(descriptor), value, param, ctx)
            assert mine == _outcome(theirs(descriptor), value, param, ctx), (param.name, value)
            compared += 1
            taken += plain(descriptor.annotation, value, descriptor.parameter_info) is not UNSURE
    assert compared > 1000 and taken > compared // 3, (compared, taken)


@pytest.mark.parametrize(
    ("annotation", "value"),
    [(int, "1e3"), (int, "abc"), (float, "nan"), (str, 3), (bool, "yes"), (list[str], "x")],
)
def test_what_is_not_plainly_a_value_goes_to_typer(annotation: Any, value: Any) -> None:
    info = typer.models.OptionInfo()
    assert plain(annotation, value, info) is UNSURE


def test_bounds_are_left_to_typer() -> None:
    info = typer.models.OptionInfo(min=1, max=10)
    assert plain(int, "5", info) == 5
    assert plain(int, "0", info) is UNSURE
    assert plain(int, "11", info) is UNSURE


def test_a_refused_value_still_reads_as_typer_words_it() -> None:
    """Out of range: typer's own message, through the whole command line, and nothing run."""
    result = invoke("serve", "--max-body", "0")
    assert result.exit_code == 2
    assert "invalid value for '--max-body'" in result.stderr, result.stderr
    assert "greater than or equal to 1" in result.stderr, result.stderr

"""Plain option values taken as they are, without typer's pydantic coercion.

typer (0.29) coerces each parameter of the command that runs through a pydantic
``TypeAdapter``: it imports pydantic and builds one adapter per option, about 0.1 s of a
one-sentence ``translate`` (a tenth of the whole call; ``benchmarks/startup.py --profile``).
Our options are plain ``str``, ``bool``, ``int``, ``float`` and lists of ``str``. A value that is
plainly one of them (a string for ``str``, digits within the option's bounds for a number) is
taken here; anything else (a bad or out-of-range number, a type not in ``_PLAIN``) goes to
typer's own coercion, which then builds its adapter and words the error as it always does.
``tests/cli/test_plain_values.py`` checks, on every option of every command, that both give
the same value or the same error.

Where typer has no such hook (older releases used click's own types and no pydantic),
``take_plain_values`` does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# What "plainly a number" means here; "1e3", " 5", "+5", "1_000" and the like go to typer.
_INT = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class _Unsure:
    """The answer of a converter that leaves the value to typer."""


UNSURE = _Unsure()


def _within(number: float, info: Any) -> bool:
    # Out of bounds goes to typer, which refuses or clamps as the option says.
    return (info.min is None or number >= info.min) and (info.max is None or number <= info.max)


def _to_str(value: Any, info: Any) -> Any:
    return value if type(value) is str else UNSURE


def _to_bool(value: Any, info: Any) -> Any:
    # A flag's value is a bool already; an unset flag's is None, which never reaches here.
    return value if type(value) is bool else UNSURE


def _to_int(value: Any, info: Any) -> Any:
    if type(value) is str and _INT.fullmatch(value):
        value = int(value)
    return value if type(value) is int and _within(value, info) else UNSURE


def _to_float(value: Any, info: Any) -> Any:
    if type(value) is str and _FLOAT.fullmatch(value):
        value = float(value)
    return value if type(value) is float and _within(value, info) else UNSURE


def _to_str_list(value: Any, info: Any) -> Any:
    if isinstance(value, (list, tuple)) and all(type(item) is str for item in value):
        return list(value)
    return UNSURE


# Annotation -> converter. Only these are taken here, and only for options without a parser.
_PLAIN: dict[Any, Callable[[Any, Any], Any]] = {
    str: _to_str,
    bool: _to_bool,
    int: _to_int,
    float: _to_float,
    list[str]: _to_str_list,
}


def plain(annotation: Any, value: Any, info: Any) -> Any:
    """``value`` as an option of type ``annotation`` with typer's ``ParameterInfo`` ``info``
    takes it, or :data:`UNSURE` when typer's coercion should decide."""
    convert = _PLAIN.get(annotation)
    if convert is None or info.parser is not None or getattr(info, "clamp", False):
        return UNSURE
    return convert(value, info)


def take_plain_values() -> None:
    """Have typer build, for every parameter whose type is in ``_PLAIN``, a coercion that
    takes a plain value here and hands anything else to typer's own (idempotent)."""
    try:
        import typer.core
        from typer._coercion import RuntimeParam
    except ImportError:  # an older typer: click's own types, no pydantic to avoid
        return
    found = getattr(typer.core, "build_runtime_param", None)
    if found is None or getattr(found, "plain_first", False):
        return
    typer_own: Callable[[Any], Any] = found

    try:

        @dataclass(frozen=True)
        class PlainFirst(RuntimeParam):
            """A plain value here; anything else through typer's own coercion (built on need)."""

            descriptor: Any

            def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
                taken = plain(self.annotation, value, self.parameter_info)
                if taken is not UNSURE:
                    return taken
                return typer_own(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    except TypeError:  # RuntimeParam is no longer a frozen dataclass: leave typer as it is
        return

    def build(descriptor: Any) -> Any:
        if descriptor.file_annotation is None and descriptor.annotation in _PLAIN:
            try:
                return PlainFirst(
                    annotation=descriptor.annotation,
                    parameter_info=descriptor.parameter_info,
                    descriptor=descriptor,
                )
            except TypeError:  # a typer whose RuntimeParam has changed: its own, as ever
                pass
        return typer_own(descriptor)

    build.plain_first = True  # type: ignore[attr-defined]
    # typer.core calls the name it imported, once per parameter, when the parameter is first
    # coerced: replacing it there reaches every parameter, the help and completion options too.
    typer.core.build_runtime_param = build  # type: ignore[attr-defined]

"""The command line: parse → Settings → Pipeline → render → write.

``main`` is the one place where exceptions become exit codes (``errors.ExitStatus``, the
table in docs/output.md) and where usage errors become one plain line. The root command
(``root.py``) lists the commands without importing them; the commands live in ``commands.py``, their
shared loop in ``driver.py``, the option declarations in ``options.py``.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from translate_cli.cli.plugins import load_plugins
from translate_cli.cli.root import app
from translate_cli.errors import ExitStatus, TranslateCliError
from translate_cli.terminal import PROG, Environment

TRACEBACK_FLAG = "--traceback"


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Run the command line; returns (and, as a console script, exits with) the status."""
    if argv is None:  # the process itself: SIGTERM/SIGHUP clean up the output, then exit
        _install_signal_handlers()
    status = run(list(sys.argv[1:] if argv is None else argv), env or Environment.from_sys())
    if argv is None:
        sys.exit(status)
    return status


def run(args: list[str], env: Environment) -> int:
    import typer

    args, traceback = _take_traceback_flag(args)
    if traceback or os.environ.get("TRANSLATE_CLI_TRACEBACK"):
        traceback = True
    command = typer.main.get_command(app)
    try:
        load_plugins()  # before parsing: a plug-in may add choices (an engine, a format)
        # Shell completion (the _TRANSLATE_CLI_COMPLETE variable) answers and exits here.
        command._main_shell_completion({}, PROG, None)
        with command.make_context(PROG, args, obj=env) as ctx:
            command.invoke(ctx)
        return int(ExitStatus.OK)
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.TyperException as error:  # click's errors (typer vendors click)
        context = getattr(error, "ctx", None)
        if type(error).__name__ == "NoArgsIsHelpError" and context is not None:
            _write(env, context.get_help() + "\n")  # a bare command: its help
            return int(ExitStatus.OK)
        if traceback:
            raise
        message, hint = _usage_line(error)
        env.error(message, hint)
        return int(ExitStatus.USAGE)
    except typer.Abort:
        env.error("aborted")
        return int(ExitStatus.INTERRUPTED)
    except TranslateCliError as error:
        if traceback:
            raise
        env.error(in_flags(error.message), in_flags(error.hint) if error.hint else None)
        return int(error.exit_status)
    except KeyboardInterrupt:
        env.error("interrupted")
        return int(ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (`| head`): not an error. Point stdout at /dev/null so the
        # interpreter's final flush does not complain either.
        _silence_stdout()
        return int(ExitStatus.OK)
    except _terminated() as signal_exit:
        return int(signal_exit.exit_status)  # type: ignore[attr-defined]
    except Exception as error:
        if traceback:
            raise
        env.error(
            f"unexpected {type(error).__name__}: {error}", "rerun with --traceback and report it"
        )
        return int(ExitStatus.FAILURE)


# The library names settings ("choose engine transformers"); on the command line they are flags.
_SETTING_PHRASES = (
    (re.compile(r"\bchoose (engine|device|compute type)\b"), "use --{flag}"),
    (re.compile(r"\bset the (model) to\b"), "pass --{flag} with"),
    (re.compile(r"\bthe (model) setting\b"), "--{flag}"),
    # Not in "config file key llm_url": that names the key as written in the file.
    (re.compile(r"(?<!key )\b(llm_url|llm_model|llm_timeout)\b"), "--{flag}"),
)
DEMO_MODEL = ".cache/demo-model"  # where a clone's `make demo` builds its random-weight model


def offline_demo() -> str | None:
    """From a clone, how to try the tool offline: the demo model by its absolute path (a
    relative one fails outside the clone). None where translate-cli is installed without one."""
    clone = Path(__file__).resolve().parents[2]
    if not (clone / "tools" / "demo.py").is_file():
        return None
    model = clone / DEMO_MODEL
    if model.is_dir():
        return f"to try it offline: --model {model} (random weights: its English is noise)"
    return f"to try it offline: make -C {clone} demo, then --model {model} (random weights)"


def in_flags(text: str) -> str:
    """A library message in command-line words: settings become their flags."""
    for pattern, words in _SETTING_PHRASES:

        def flag(match: re.Match[str], words: str = words) -> str:
            return words.format(flag=re.sub(r"[ _]", "-", match.group(1)))

        text = pattern.sub(flag, text)
    demo = offline_demo() if "models pull" in text else None
    if demo:
        text += f"; {demo}"
    return text


def _take_traceback_flag(args: list[str]) -> tuple[list[str], bool]:
    """``--traceback`` is accepted anywhere before ``--`` (``segment --traceback FILE`` too)."""
    end = args.index("--") if "--" in args else len(args)
    kept = [a for a in args[:end] if a != TRACEBACK_FLAG] + args[end:]
    return kept, len(kept) != len(args)


def _usage_line(error: Exception) -> tuple[str, str | None]:
    """A click error as one line plus at most one hint line, without click's box."""
    text = " ".join(str(getattr(error, "format_message", error.__str__)()).split())
    hint = None
    for marker in (" Did you mean ", " (Possible options: "):
        if marker in text:
            text, _, rest = text.partition(marker)
            hint = "did you mean " + rest.strip(" ()?") + "?"
            break
    text = text[:1].lower() + text[1:]
    context = getattr(error, "ctx", None)
    if hint is None and context is not None:
        hint = f"see '{context.command_path} --help'"
    return text.rstrip("."), hint


def _write(env: Environment, text: str) -> None:
    env.stdout.write(text.encode())
    env.stdout.flush()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _terminated() -> type[BaseException]:
    from translate_cli.signals import Terminated

    return Terminated


def _install_signal_handlers() -> None:
    from translate_cli.signals import install_handlers

    install_handlers()


__all__ = ["app", "main", "run"]

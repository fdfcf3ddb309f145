"""SIGTERM and SIGHUP end a run cleanly: as an exception, so ``finally`` blocks run.

Without this a terminated run dies at once and leaves the hidden temporary file of ``-o PATH``
behind. With ``install_handlers()`` the signal raises ``Terminated`` in the main thread; the
context managers of ``output.open_output`` remove the temporary file and keep the old output, and
the CLI exits with ``Terminated.exit_status`` (129 for SIGHUP, 143 for SIGTERM, as a shell
reports a process killed by the signal). The first signal also restores the default actions, so
a second SIGTERM or SIGHUP kills the process at once if the clean-up hangs.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from translate_cli.errors import ExitStatus

_HANDLED = tuple(
    number
    for number in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None))
    if number is not None
)

_EXIT_STATUS: dict[int, int] = {signal.SIGTERM: ExitStatus.TERMINATED}
if hasattr(signal, "SIGHUP"):
    _EXIT_STATUS[signal.SIGHUP] = ExitStatus.HANGUP


class Terminated(BaseException):
    """The process got SIGTERM or SIGHUP; a BaseException so ``except Exception`` lets it by."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.exit_status: int = _EXIT_STATUS.get(signum, 128 + signum)
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        self.signal_name = name
        super().__init__(f"terminated by {name}")


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    for number in _HANDLED:
        signal.signal(number, signal.SIG_DFL)
    raise Terminated(signum)


def install_handlers() -> None:
    """Make SIGTERM and SIGHUP raise ``Terminated``; a no-op outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return
    for number in _HANDLED:
        if signal.getsignal(number) is signal.SIG_IGN and number == getattr(signal, "SIGHUP", None):
            continue  # started under nohup: keep ignoring hangups
        signal.signal(number, _raise_terminated)

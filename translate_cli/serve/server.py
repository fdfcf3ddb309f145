"""Starting and stopping a server: check the extra is installed, load the model, listen, serve
until SIGTERM, SIGHUP or Ctrl-C, finish the requests in flight, close the model."""

from __future__ import annotations

import ctypes
import importlib.util
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from translate_cli.config import Settings
from translate_cli.errors import UsageError
from translate_cli.serve.options import ServeOptions

if TYPE_CHECKING:
    import uvicorn

    from translate_cli.serve.service import Service

# The serve extra: the import names of what `pip install 'translate-cli[serve]'` brings.
EXTRA_MODULES = ("starlette", "uvicorn", "multipart")
INSTALL = "pip install 'translate-cli[serve]'"


class MissingServeExtra(UsageError):
    """``serve`` without its extra installed."""


def check_extra() -> None:
    """``MissingServeExtra`` (one line, with the install command) unless the extra is here."""
    missing = [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingServeExtra(
            f"serve needs starlette and uvicorn (missing: "
            f"{', '.join(missing)}); install them with: {INSTALL}"
        )


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: a free port), or the ``UsageError`` that
    says why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not left 0 (as socket.create_server leaves it): asyncio turns Nagle's
    # algorithm off only on connections whose protocol says TCP, and with it on, each answer
    # on a kept-alive connection waited ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)
    except (OSError, OverflowError) as error:
        sock.close()
        reason = getattr(error, "strerror", None) or str(error)
        raise UsageError(
            f"cannot listen on {host}:{port}: {reason}", hint="choose another --host or --port"
        ) from None
    return sock


# mallopt's parameter for the most malloc arenas (glibc's malloc.h).
M_ARENA_MAX = -8


def limit_malloc_arenas() -> bool:
    """Cap glibc's malloc arenas at one a core (at least two); whether it could.

    glibc gives a thread that finds the heap busy an arena of its own, up to 8 a core, and
    seldom returns their free pages. A server runs a pool of request threads beside the
    engine's workers: its RSS crept up by tens of MB over thousands of requests while
    Python's own objects stayed flat (tracemalloc); with two arenas on two cores it levelled
    off (docs/benchmarks.md). The request threads mostly wait while the engine decodes, so
    they seldom contend for an arena. Done before any thread starts; off glibc, or when the
    user set ``MALLOC_ARENA_MAX`` (which glibc has read already), nothing is changed."""
    try:
        os.confstr("CS_GNU_LIBC_VERSION")  # ValueError or None off glibc
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (ValueError, OSError, AttributeError):
        return False
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    return bool(mallopt(M_ARENA_MAX, max(os.cpu_count() or 1, 2)))


def serve(settings: Settings, options: ServeOptions, notice: Callable[[str], None]) -> None:
    """Load the model, then serve until told to stop (SIGTERM, SIGHUP and SIGINT end the
    serving loop; the requests in flight finish first, then the signal's usual exit follows)."""
    check_extra()
    options.check()
    from translate_cli.serve.service import Service

    sock = listen(options.host, options.port)  # a port in use is said before the model loads
    limit_malloc_arenas()  # before the engine's and the requests' threads start
    try:
        service = Service.open(settings, options)
    except BaseException:
        sock.close()
        raise
    try:
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        keys = f"{len(options.keys)} API key(s)" if options.keys else "no API key"
        notice(
            f"serving {settings.model} ({service.engine.name}) on http://{shown}:{port} "
            f"({keys}); SIGTERM, SIGHUP or Ctrl-C stops it"
        )
        uvicorn_server(service).run(sockets=[sock])
    finally:
        service.close()


def uvicorn_server(service: Service) -> uvicorn.Server:
    """The uvicorn server of ``service``'s application (not started)."""
    import uvicorn

    from translate_cli.serve.app import build_app

    class Server(uvicorn.Server):
        """uvicorn's server, stopped by SIGHUP as by SIGTERM: uvicorn handles only SIGINT and
        SIGTERM, and a hangup (the terminal closed) would end the process at once, the
        requests in flight unanswered."""

        @contextmanager
        def capture_signals(self) -> Iterator[None]:
            hangup = getattr(signal, "SIGHUP", None)
            main = threading.current_thread() is threading.main_thread()
            # Under nohup hangups stay ignored (as ``signals.install_handlers`` keeps them).
            if hangup is None or not main or signal.getsignal(hangup) is signal.SIG_IGN:
                with super().capture_signals():
                    yield
                return
            with super().capture_signals():  # on leaving, raises the signals it caught
                previous = signal.signal(hangup, self.handle_exit)
                try:
                    yield
                finally:
                    # Restored first, so that the SIGHUP uvicorn raises again once the
                    # requests in flight are done exits as a hangup does (129).
                    signal.signal(hangup, previous)

    config = uvicorn.Config(
        build_app(service),
        log_config=None,  # no uvicorn lines on the terminal: a request's path is hostile
        log_level="error",
        access_log=False,
        lifespan="off",
        # In-flight requests get their own time limit to finish, then are cancelled.
        timeout_graceful_shutdown=int(service.options.limits.seconds) + 5,
    )
    return Server(config)

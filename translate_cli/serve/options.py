"""What a server is told: where to listen, who may use it, and its limits (no web stack here,
so the command can check its options before starlette and uvicorn load)."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from translate_cli.errors import UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000  # LibreTranslate's, so that its clients' default settings find us
API_KEY_ENV = "TRANSLATE_CLI_API_KEY"


@dataclass(frozen=True)
class Limits:
    """Bounds on one request; beyond them it is refused (or, for time, cancelled)."""

    max_body: int = 1 << 20  # bytes of request body
    max_sentences: int = 2_000  # sentences of all its texts together
    seconds: float = 120.0  # from its arrival to its answer
    max_pending: int = 64  # requests in flight at once; more are answered 429
    max_texts: int = 1_000  # items of a ``q`` list (LibreTranslate's batch limit)


@dataclass(frozen=True)
class ServeOptions:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    keys: frozenset[str] = frozenset()
    limits: Limits = field(default_factory=Limits)
    batch_window: float = 0.01  # seconds a batcher waits for requests on their way
    allow_private_urls: bool = False  # may a request name a URL on this machine or network?

    def check(self) -> ServeOptions:
        """These options, or the ``UsageError`` that says why a server must not start so."""
        if not 0 <= self.port <= 65535:
            raise UsageError(f"--port must be between 0 and 65535, not {self.port}")
        if not self.keys and not is_loopback(self.host):
            raise UsageError(
                f"--host {self.host} can be reached from other machines: an API key is required",
                hint=f"give --api-key, --api-keys-file or {API_KEY_ENV}, or bind {DEFAULT_HOST}",
            )
        return self

    def key_accepted(self, given: str | None) -> bool:
        """Whether a request carrying ``given`` may be served (any, when no keys are set)."""
        if not self.keys:
            return True
        if not given:
            return False
        # compare_digest against every key: the time taken says nothing about which matched.
        matches = [hmac.compare_digest(given.encode(), key.encode()) for key in self.keys]
        return any(matches)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address only this machine reaches (``localhost`` too)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def read_keys(given: Iterable[str], keys_file: Path | None) -> frozenset[str]:
    """The API keys: those given, plus one per line of ``keys_file`` (blank lines and lines
    starting with ``#`` skipped)."""
    keys = {key.strip() for key in given if key and key.strip()}
    if keys_file is not None:
        try:
            text = keys_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"--api-keys-file: cannot read {keys_file}: {error}") from None
        keys |= {
            line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
        }
        if not keys:
            raise UsageError(f"--api-keys-file: {keys_file} holds no key")
    return frozenset(keys)

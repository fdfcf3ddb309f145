"""The network layer: one HTTP exchange with a deadline, a redirect policy and a size cap.

Everything that goes on the network goes through ``exchange``: the page fetcher
(``translate_cli.web.fetch``, a GET) and the LLM client (``translate_cli.llm.http``, a POST of
JSON). Its rules hold for both:

- Only ``http`` and ``https``, also after a redirect. Redirects are followed here, at most
  ``Limits.max_redirects``: one that would change the request (a 301/302/303 after a POST turns
  it into a GET without its body) is refused; with ``Limits.same_origin`` one to another origin
  (scheme, host, port) is refused before anything is sent there. The ``Authorization`` header
  never crosses to another origin.
- A redirect from a public address to a private one (loopback, private ranges, link-local and
  with it the cloud metadata address 169.254.169.254, reserved, unspecified, multicast) is
  refused unless ``Limits.allow_private_redirects``: a page on the internet must not point the
  fetcher at this machine or its network. A URL given on its own may point anywhere.
- ``Limits.timeout`` is a deadline for the whole exchange: connecting, each redirect, the
  headers and the body. Each wait is bounded by what is left of it, and at the deadline the
  connections are shut, so a server dripping bytes is stopped too.
- At most ``Limits.max_bytes`` of the body are read, counted as it is decompressed, a step at a
  time through every ``Content-Encoding`` layer (``translate_cli.web.inflate``): a gzip bomb,
  single or nested, stops at the cap.
- Proxies come from the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``), as curl
  reads them; a server on this machine is never reached through one.
- A failure is a ``NetworkError`` that says what happened (``Trouble``); each caller words it
  for its users. URLs in messages go through ``safe_url``: never credentials, never the query.

httpx is imported when an exchange is made, never with this module.
"""

from __future__ import annotations

import errno
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from translate_cli.humanize import format_size, one_line
from translate_cli.version import __version__
from translate_cli.web.inflate import ACCEPT, EncodingError, decoded, encodings

if TYPE_CHECKING:
    import httpx

SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_KEEP_METHOD = frozenset({307, 308})  # the others turn anything but a GET into a GET
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


# --- URLs ---------------------------------------------------------------------------------------
def url_scheme(source: str) -> str | None:
    """The scheme of ``source`` when it is written as a URL (``scheme://…``), else None."""
    match = _SCHEME.match(source)
    return match.group(1).lower() if match else None


def is_url(source: str) -> bool:
    return url_scheme(source) in SCHEMES


def safe_url(url: str, *, query: bool = False) -> str:
    """``url`` fit to be shown, whatever its shape (even unparseable): no ``user:password@``,
    no fragment, no control characters, and no query string unless ``query``.

    Messages leave ``query`` off (a query may hold a key or a token); a web page's own name
    (its metadata, the name of an input) keeps it, as ``?id=1`` and ``?id=2`` are two pages.
    """
    text = url.strip()
    marker = text.find("//")
    start = marker + 2 if marker != -1 else 0
    slash = text.find("/", start)
    end = slash if slash != -1 else len(text)
    # Up to the path, not to a "?" or "#": a password may hold those too, unencoded.
    if "@" in text[start:end]:
        text = text[:start] + text[start:end].rpartition("@")[2] + text[end:]
    text = re.split(r"[?#]" if not query else "#", text, maxsplit=1)[0]
    return one_line(text)


def origin(url: str) -> tuple[str, str, int] | None:
    """Scheme, host and port of an http(s) URL without credentials; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    return parts.scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[parts.scheme]


def user_agent() -> str:
    return f"translate-cli/{__version__} (+https://pypi.org/project/translate-cli/)"


# --- one exchange -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Limits:
    """How far an exchange may go: seconds in all, body bytes (decompressed), redirects,
    whether redirects must stay on the first URL's origin (an API: its request and key stay),
    and whether a public address may redirect to a private one."""

    timeout: float
    max_bytes: int
    max_redirects: int
    same_origin: bool = False
    allow_private_redirects: bool = False


class Trouble(Enum):
    """How an exchange failed."""

    NO_ANSWER = "no answer within the time"  # no status line and headers by the deadline
    NOT_COMPLETE = "body not complete within the time"
    DNS = "DNS lookup failed"
    REFUSED = "connection refused"
    PROXY = "the proxy failed"
    TLS = "TLS failed"
    UNREACHABLE = "network unreachable"
    DROPPED = "the server closed the connection"  # worth another try
    PROTOCOL = "not an HTTP answer"
    NETWORK = "other network error"
    INVALID_URL = "not a valid URL"
    TOO_LARGE = "body over the size cap"
    TOO_MANY_REDIRECTS = "too many redirects"
    REDIRECT_CHANGES_REQUEST = "a redirect that would drop the request's body"
    REDIRECT_TO_OTHER_ORIGIN = "a redirect to another origin"
    REDIRECT_NOT_HTTP = "a redirect to a URL that is not http(s)"
    REDIRECT_TO_PRIVATE = "a redirect from a public address to a private one"


class NetworkError(Exception):
    """An exchange that failed: ``trouble`` says how, ``reason`` in words (credentials never
    shown). ``url`` is the request that failed (raw: show it through ``safe_url``); for a
    refused redirect, ``status`` and ``target`` are the redirect's."""

    def __init__(
        self, trouble: Trouble, reason: str, url: str, *, status: int = 0, target: str = ""
    ) -> None:
        super().__init__(reason)
        self.trouble = trouble
        self.reason = reason
        self.url = url
        self.status = status
        self.target = target


class Reply:
    """The answer of an exchange, its body not read yet: read it inside the ``with``."""

    def __init__(self, response: httpx.Response, limits: Limits, deadline: _Deadline) -> None:
        self.response = response
        self.url = str(response.url)
        self.status = response.status_code
        self.headers: Mapping[str, str] = response.headers
        self._limits = limits
        self._deadline = deadline

    @property
    def reason(self) -> str:
        import httpx

        return self.response.reason_phrase or httpx.codes.get_reason_phrase(self.status)

    def read(self, limit: int | None = None, *, cut: bool = False) -> bytes:
        """The body, decompressed, within the deadline and at most ``limit`` bytes (default
        ``Limits.max_bytes``): past it, a ``TOO_LARGE`` error, or with ``cut`` its start."""
        cap = self._limits.max_bytes if limit is None else limit
        declared = self.headers.get("content-length", "").strip()
        if not cut and declared.isdigit() and int(declared) > cap:
            raise self._too_large()
        import httpx

        chunks: list[bytes] = []
        size = 0
        try:
            layers = encodings(self.headers.get("content-encoding", ""))
            for chunk in decoded(self.response.iter_raw(), layers):
                if self._deadline.passed():
                    raise NetworkError(Trouble.NOT_COMPLETE, "not complete in time", self.url)
                if size + len(chunk) > cap:
                    if not cut:
                        raise self._too_large()
                    chunks.append(chunk[: cap - size])
                    break
                size += len(chunk)
                chunks.append(chunk)
        except EncodingError as error:
            host = _host(self.url)
            raise NetworkError(Trouble.PROTOCOL, f"{host} sent {error}", self.url) from None
        except httpx.HTTPError as error:
            raise _network_error(error, self.url, self._deadline.passed(), True) from None
        return b"".join(chunks)

    def _too_large(self) -> NetworkError:
        size = format_size(self._limits.max_bytes)
        return NetworkError(Trouble.TOO_LARGE, f"larger than {size}", self.url)


@contextmanager
def exchange(
    method: str,
    url: str,
    limits: Limits,
    *,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[Reply]:
    """Send ``method url`` (with ``content``), follow redirects by the rules above and give the
    final answer, whatever its status; its body is read with ``Reply.read``.

    Raises ``NetworkError``; the caller's own errors inside the ``with`` pass through.
    """
    import httpx

    deadline = _Deadline(limits.timeout)
    client = httpx.Client(
        # Only the encodings ``inflate`` undoes in bounded steps.
        headers={"User-Agent": user_agent(), "Accept-Encoding": ACCEPT},
        follow_redirects=False,  # _Hops follows them, by the rules above
        trust_env=True,  # proxies and NO_PROXY from the environment
        mounts=_direct_mounts(url),
        transport=transport,
    )
    hops = _Hops(client, limits, deadline, method, dict(headers or {}), content)
    client.event_hooks["response"] = [hops.hold_location]
    answered = False
    try:
        with deadline, client:
            response = hops.send(url)
            try:
                answered = True
                yield Reply(response, limits, deadline)
            finally:
                response.close()
    except httpx.InvalidURL as error:  # not an httpx.HTTPError
        raise NetworkError(Trouble.INVALID_URL, one_line(error), hops.url) from None
    except httpx.HTTPError as error:
        raise _network_error(error, hops.url, deadline.passed(), answered) from None


class _Hops:
    """The requests of one exchange: the first and each redirect followed."""

    def __init__(
        self,
        client: httpx.Client,
        limits: Limits,
        deadline: _Deadline,
        method: str,
        headers: dict[str, str],
        content: bytes | None,
    ) -> None:
        self.client = client
        self.limits = limits
        self.deadline = deadline
        self.method = method
        self.headers = headers
        self.content = content
        self.url = ""
        self.location: str | None = None

    def hold_location(self, response: httpx.Response) -> None:
        """A response hook: takes a redirect's ``Location`` out of the headers. httpx would
        parse it even when not following (and fail on a bad one, its status lost); here alone
        is decided, and said, what a redirect may do."""
        self.location = None
        if response.status_code in _REDIRECTS and "location" in response.headers:
            self.location = response.headers["location"]
            del response.headers["location"]

    def send(self, url: str) -> httpx.Response:
        import httpx

        self.url = url
        for hop in range(self.limits.max_redirects + 1):
            left = self.deadline.left()
            if left <= 0:
                raise NetworkError(Trouble.NO_ANSWER, "no answer in time", self.url)
            request = self.client.build_request(
                self.method,
                self.url,
                headers=self.headers,
                content=self.content,
                timeout=httpx.Timeout(left),  # each wait, at most what is left
                extensions={"trace": self.deadline.trace},
            )
            response = self.client.send(request, stream=True)
            location = self.location
            if not location or not location.strip():
                if location is not None:
                    response.headers["location"] = location  # an empty one, as it was sent
                return response
            response.close()
            target = self._next(response.status_code, location.strip())
            if hop == self.limits.max_redirects:
                break
            if origin(target) != origin(self.url):  # credentials stay with their origin
                self.headers = {
                    k: v for k, v in self.headers.items() if k.lower() != "authorization"
                }
            self.url = target
        raise NetworkError(
            Trouble.TOO_MANY_REDIRECTS,
            f"more than {self.limits.max_redirects} redirects",
            self.url,
        )

    def _next(self, status: int, location: str) -> str:
        """Where a redirect from ``self.url`` may go, or the ``NetworkError`` that refuses it."""
        try:
            target = urljoin(self.url, location)
        except ValueError:  # "http://[::1": neither an address to follow nor an origin
            target = location

        def refuse(trouble: Trouble, why: str) -> NetworkError:
            return NetworkError(trouble, why, self.url, status=status, target=target)

        if status not in _KEEP_METHOD and self.method not in ("GET", "HEAD"):
            raise refuse(Trouble.REDIRECT_CHANGES_REQUEST, "a redirect that drops the request")
        if self.limits.same_origin and origin(target) != origin(self.url):
            raise refuse(Trouble.REDIRECT_TO_OTHER_ORIGIN, "a redirect to another server")
        try:
            valid = url_scheme(target) in SCHEMES and bool(urlsplit(target).hostname)
        except ValueError:
            valid = False
        if not valid:
            raise refuse(Trouble.REDIRECT_NOT_HTTP, "a redirect to a URL that is not http(s)")
        if not self.limits.allow_private_redirects and leaves_the_internet(self.url, target):
            raise refuse(Trouble.REDIRECT_TO_PRIVATE, "a redirect to a private address")
        return target


# --- where a redirect may lead ------------------------------------------------------------------
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_address(address: Address) -> bool:
    """Whether ``address`` is on the public internet: not loopback, private, link-local
    (169.254.169.254, the cloud metadata service, is one), shared (CGNAT), reserved,
    unspecified or multicast. An IPv6 address that carries an IPv4 one (mapped, 6to4, Teredo)
    is judged by that one."""
    if isinstance(address, ipaddress.IPv6Address):
        teredo = address.teredo
        embedded = address.ipv4_mapped or address.sixtofour or (teredo[1] if teredo else None)
        if embedded is not None:
            return is_public_address(embedded)
        if address.is_site_local:
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
        or address.is_multicast
    )


def host_addresses(host: str) -> list[Address]:
    """Every address ``host`` stands for: itself when it is one, else what the resolver
    gives (none when the lookup fails)."""
    try:
        return [ipaddress.ip_address(host.strip("[]").partition("%")[0])]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return []
    addresses: list[Address] = []
    for *_, sockaddr in found:
        with suppress(ValueError):
            addresses.append(ipaddress.ip_address(str(sockaddr[0]).partition("%")[0]))
    return list(dict.fromkeys(addresses))


def leaves_the_internet(url: str, target: str) -> bool:
    """Whether a redirect from ``url`` to ``target`` goes from a public address to a private
    one. A server that is itself private (an intranet, this machine) may send anywhere; a
    redirect within its own origin changes no address; a host that cannot be looked up
    counts as public here (connecting to it will fail on its own)."""
    here, there = _host(url), _host(target)
    if "?" in (here, there) or (origin(url) is not None and origin(url) == origin(target)):
        return False
    sources = host_addresses(here)
    if sources and not any(is_public_address(address) for address in sources):
        return False
    return any(not is_public_address(address) for address in host_addresses(there))


class _Deadline:
    """The exchange's deadline. When it passes, every connection the exchange opened is shut
    down, so whatever phase it is in (connect, headers, body) ends then, even if bytes keep
    trickling in within each single wait."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def left(self) -> float:
        return self.at - time.monotonic()

    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpcore's trace hook: keeps each new connection's socket, to shut at the deadline."""
        if not event.endswith("connect_tcp.complete"):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with self._lock:
                self._sockets.append(sock)
                expired = self._expired
            if expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown: on a TLS socket, the ssl wrapper's would drop its state
    # under the reading thread's feet.
    with suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _direct_mounts(url: str) -> dict[str, httpx.BaseTransport | None]:
    """No proxy for this machine: through one, 127.0.0.1 would be the proxy's own."""
    names = list(_LOOPBACK_NAMES)
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    if host and _is_loopback(host):
        names.append(f"[{host}]" if ":" in host else host)
    return {f"all://{name}": None for name in names}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _network_error(error: Exception, url: str, timed_out: bool, answered: bool) -> NetworkError:
    """What went wrong on the network, classified and in words: timeout, DNS, refused, proxy,
    TLS, unreachable, a dropped connection, not HTTP."""
    import httpx

    host = _host(url)

    def trouble(kind: Trouble, reason: str) -> NetworkError:
        return NetworkError(kind, reason, url)

    if timed_out or isinstance(error, httpx.TimeoutException):
        if answered:
            return trouble(Trouble.NOT_COMPLETE, "not complete in time")
        return trouble(Trouble.NO_ANSWER, "no answer in time")
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, socket.gaierror) for e in chain) or re.search(
        r"name or service not known|nodename nor servname|name resolution|getaddrinfo|"
        r"no address associated|errno -[2-5]\b",
        text,
    ):
        return trouble(Trouble.DNS, f"DNS lookup failed for {host}")
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
        return trouble(Trouble.REFUSED, f"connection refused by {host}")
    if isinstance(error, httpx.ProxyError):
        return trouble(Trouble.PROXY, "the proxy failed (check HTTPS_PROXY / HTTP_PROXY)")
    if "certificate" in text or "ssl" in text:
        return trouble(Trouble.TLS, f"TLS error with {host} ({one_line(error)[:160]})")
    if any(isinstance(e, OSError) and e.errno == errno.ENETUNREACH for e in chain) or (
        "unreachable" in text
    ):
        return trouble(Trouble.UNREACHABLE, f"network unreachable for {host} (no network?)")
    dropped = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
    if any(isinstance(e, dropped) for e in chain) or re.search(
        r"disconnected|peer closed|connection closed|incomplete", text
    ):
        return trouble(Trouble.DROPPED, f"{host} closed the connection")
    if isinstance(error, httpx.RemoteProtocolError | httpx.DecodingError):
        return trouble(Trouble.PROTOCOL, f"{host} answered nonsense ({one_line(error)[:160]})")
    if isinstance(error, httpx.UnsupportedProtocol):
        return trouble(Trouble.INVALID_URL, one_line(error))
    return trouble(Trouble.NETWORK, f"network error ({type(error).__name__})")


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or "?"
    except ValueError:
        return "?"

"""Writing outputs: standard output or ``-o PATH``, every write checked, files never left half.

What ``-o PATH`` does depends on what PATH is:

* a new path, or a regular file with one link: written to a hidden temporary file next to it and
  renamed over it when the run succeeds (atomic: readers see the old or the new file, never half;
  a failed or interrupted run leaves the old file and no temporary file). An existing file keeps
  its permission bits (and owner and group, when run as root); a new file gets ``0666 & ~umask``.
* a symbolic link: followed to its final target, which is replaced as above; the link stays.
* a regular file with several hard links, another user's file (when not root: a replacement
  would be ours), or a file in a folder we may not write to: the output is staged in an anonymous
  temporary file (in $TMPDIR) and copied into the file itself at the end, so every link sees it,
  owner and mode stay, and a failed run leaves the file untouched. Only an I/O error during that
  final copy could leave it damaged (the space is reserved first, so a full disk cannot).
* a character device (``/dev/null``, a terminal), a FIFO or a Unix socket: opened and written
  directly, never replaced. ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N`` and
  ``/proc/self/fd/N`` write to that descriptor of this process (so an appending redirection keeps
  appending).
* a folder, a block device, a missing folder or a place we may not write: ``UsageError`` (exit 2),
  from ``check_output`` before any work.

Every write is checked and retried until complete: a write that fails (disk full, quota, I/O
error, file too large) raises ``OutputError`` (exit 5) with one line such as ``disk full writing
out.json``. ``BrokenPipeError`` is passed on unchanged: a reader that went away is the caller's
business.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import secrets
import select
import signal
import socket
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import Enum
from typing import Any, BinaryIO

from translate_cli.errors import OutputError, UsageError

STDOUT_NAME = "standard output"
_CHUNK = 64 * 1024
_MAX_LINKS = 40

# Characters that JSON leaves raw but that some line splitters (JavaScript, str.splitlines)
# treat as line ends (U+2028, U+2029, U+0085), or that a terminal acts on (DEL, the C1
# controls — U+009B is a one-character ESC[ — and the bidi overrides): escaped, so the value stays
# exact and JSON on a terminal shows no control. Outside strings json.dumps emits only ASCII, so
# replacing is always safe.
_RAW_IN_JSON = re.compile("[\u2028\u2029\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_WHY = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large",
    errno.EIO: "I/O error",
    errno.EROFS: "read-only file system",
}


def json_line(value: Any) -> str:
    """One JSONL line: compact, UTF-8 friendly, no raw line separators, ends with ``\\n``.

    Raises ``ValueError`` for NaN or infinite floats (not JSON).
    """
    return _escape_raw(json.dumps(value, ensure_ascii=False, allow_nan=False)) + "\n"


def json_document(value: Any) -> str:
    """A whole JSON document, indented by 2, same escaping as ``json_line``, ends with ``\\n``."""
    return _escape_raw(json.dumps(value, ensure_ascii=False, allow_nan=False, indent=2)) + "\n"


def _escape_raw(text: str) -> str:
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _why(error: OSError) -> str:
    return _WHY.get(error.errno or 0) or (error.strerror or str(error)).lower()


class _Mode(Enum):
    STDOUT = "stdout"
    OWN_FD = "own descriptor"  # /dev/stdout, /dev/fd/N: dup that descriptor
    DIRECT = "direct"  # character device, FIFO: open and write
    SOCKET = "socket"
    ATOMIC = "atomic"  # temporary file + rename
    IN_PLACE = "in place"  # stage, then copy into the existing file


@dataclass(frozen=True)
class _Plan:
    mode: _Mode
    name: str  # for messages: the path as given, or "standard output"
    target: str = ""  # the final path after following symbolic links
    fd: int = -1  # OWN_FD: which descriptor
    existing: os.stat_result | None = None


_OWN_FD = re.compile(r"/(?:dev/fd|proc/(?:self|thread-self|(\d+))/fd)/(\d+)")
_STD_NAMES = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def _own_fd(path: str) -> int | None:
    if path in _STD_NAMES:
        return _STD_NAMES[path]
    match = _OWN_FD.fullmatch(path)
    if match is None or (match.group(1) is not None and int(match.group(1)) != os.getpid()):
        return None
    return int(match.group(2))


def _usage(path: str, why: str) -> UsageError:
    return UsageError(f"cannot write {path}: {why}")


def _resolve(path: str) -> tuple[str, int | None]:
    """Follow symbolic links to the final path, or stop at a descriptor of this process."""
    current = path if os.path.isabs(path) else os.path.join(os.getcwd(), path)
    for _ in range(_MAX_LINKS):
        fd = _own_fd(os.path.normpath(current))
        if fd is not None:
            return current, fd
        parent = os.path.realpath(os.path.dirname(current))
        full = os.path.join(parent, os.path.basename(current))
        fd = _own_fd(full)
        if fd is not None:
            return full, fd
        if parent == "/proc" or parent.startswith("/proc/") or not os.path.islink(full):
            return full, None
        current = os.path.join(parent, os.readlink(full))
    raise _usage(path, "too many levels of symbolic links")


def _read_only(folder: str) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _plan(path: str | None) -> _Plan:
    if path is None or path == "-":
        return _Plan(_Mode.STDOUT, STDOUT_NAME)
    if path == "":
        raise UsageError("cannot write '': empty output path")
    target, fd = _resolve(path)
    if fd is not None:
        try:
            os.fstat(fd)
        except OSError:
            raise _usage(path, f"descriptor {fd} is not open") from None
        return _Plan(_Mode.OWN_FD, path, target, fd)
    folder = os.path.dirname(target) or "/"
    try:
        info = os.stat(target)
    except FileNotFoundError:
        if not os.path.isdir(folder):
            if os.path.exists(folder):
                raise _usage(path, f"{folder} is not a folder") from None
            raise _usage(path, f"folder {folder} does not exist") from None
        if not os.access(folder, os.W_OK | os.X_OK):
            why = "read-only file system" if _read_only(folder) else "permission denied"
            raise _usage(path, f"{why} (cannot create files in {folder})") from None
        return _Plan(_Mode.ATOMIC, path, target)
    except NotADirectoryError:
        raise _usage(path, "a part of the path is not a folder") from None
    except OSError as error:
        raise _usage(path, _why(error)) from None
    kind = info.st_mode
    if stat.S_ISDIR(kind):
        raise _usage(path, "is a directory")
    if stat.S_ISBLK(kind):
        raise _usage(path, "is a block device (refusing to write to a disk)")
    if not os.access(target, os.W_OK):
        raise _usage(path, "read-only file system" if _read_only(folder) else "permission denied")
    if stat.S_ISSOCK(kind):
        return _Plan(_Mode.SOCKET, path, target)
    if not stat.S_ISREG(kind) or folder == "/proc" or folder.startswith("/proc/"):
        return _Plan(_Mode.DIRECT, path, target, existing=info)
    someone_elses = info.st_uid != os.geteuid() and os.geteuid() != 0  # a new file would be ours
    if info.st_nlink > 1 or someone_elses or not os.access(folder, os.W_OK | os.X_OK):
        return _Plan(_Mode.IN_PLACE, path, target, existing=info)
    return _Plan(_Mode.ATOMIC, path, target, existing=info)


def check_output(path: str | None) -> None:
    """Fail before any work when ``path`` cannot be written: ``UsageError`` (exit 2).

    None or ``-`` is standard output and always passes.
    """
    _plan(path)


def _write_all(fd: int, data: bytes, name: str) -> None:
    """``os.write`` until every byte is out; a failure is ``OutputError`` naming ``name``."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BrokenPipeError:
            raise
        except BlockingIOError:  # someone made the descriptor non-blocking: wait, then retry
            select.select([], [fd], [])
            continue
        except OSError as error:
            raise OutputError(f"{_why(error)} writing {name}") from error
        if written <= 0:
            raise OutputError(f"write made no progress writing {name}")
        view = view[written:]


def _write_stream(stream: BinaryIO, data: bytes, name: str) -> None:
    """The same for a file object without a descriptor (a test harness's stdout)."""
    view = memoryview(data)
    try:
        while view:
            written = stream.write(view)
            if not written:  # None: a non-blocking raw stream with no room
                raise OutputError(f"write made no progress writing {name}")
            view = view[written:]
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(f"{_why(error)} writing {name}") from error


class OutputStream(io.TextIOBase):
    """What ``open_output`` yields: ``write(str) -> int`` and ``flush()``, both checked.

    Text is encoded as UTF-8. Standard output, devices, FIFOs and sockets are written through
    on every ``write`` (a reader sees each line at once); files are written in 64 KiB chunks and
    on ``flush()``, since nobody can read them before the run ends.
    """

    encoding = "utf-8"

    def __init__(
        self,
        name: str,
        emit: Callable[[bytes], None],
        *,
        buffered: bool,
        tty: bool = False,
        fileno: int | None = None,
    ) -> None:
        super().__init__()
        self._name = name
        self._emit = emit
        self._buffered = buffered
        self._pending = bytearray()
        self._tty = tty
        self._fileno = fileno

    @property
    def name(self) -> str:
        return self._name

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._tty

    def fileno(self) -> int:
        if self._fileno is None:
            raise io.UnsupportedOperation("fileno")
        return self._fileno

    def write(self, text: str) -> int:
        if self.closed:
            raise ValueError(f"write to {self._name} after it was closed")
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.write_bytes(text.encode("utf-8"))
        return len(text)

    def write_bytes(self, data: bytes) -> None:
        """Write bytes as they are: a binary document (``translate -f docx``)."""
        if self.closed:
            raise ValueError(f"write to {self._name} after it was closed")
        if self._buffered:
            self._pending += data
            if len(self._pending) >= _CHUNK:
                self.flush()
        elif data:
            self._emit(data)

    def flush(self) -> None:
        if self.closed or not self._pending:
            return
        data = bytes(self._pending)
        self._pending.clear()
        self._emit(data)

    def _finish(self, *, keep: bool) -> None:
        """Flush (``keep``) or drop what is pending, then close; never writes afterwards."""
        try:
            if keep:
                self.flush()
        finally:
            self._pending.clear()
            self.close()


@contextmanager
def open_output(path: str | None, stdout: BinaryIO | None = None) -> Iterator[OutputStream]:
    """Yield an ``OutputStream`` for standard output (None or ``-``) or ``path``.

    Raises ``UsageError`` (exit 2) when the path cannot be written at all (as ``check_output``),
    ``OutputError`` (exit 5) when a write fails, and lets ``BrokenPipeError`` through. A file is
    complete when the ``with`` block ends without an exception; after an exception (including
    ``signals.Terminated``) the old file is left as it was and no temporary file remains.
    """
    plan = _plan(path)
    if plan.mode is _Mode.STDOUT:
        yield from _to_stdout(stdout)
    elif plan.mode in (_Mode.OWN_FD, _Mode.DIRECT, _Mode.SOCKET):
        yield from _to_descriptor(plan)
    elif plan.mode is _Mode.ATOMIC:
        yield from _to_new_file(plan)
    else:
        yield from _to_file_in_place(plan)


def _to_stdout(stdout: BinaryIO | None) -> Iterator[OutputStream]:
    binary: BinaryIO | None = stdout
    if binary is None:
        text_stream = sys.stdout
        if text_stream is None:  # started with descriptor 1 closed
            raise UsageError(f"cannot write {STDOUT_NAME}: it is closed")
        _flush_quietly(text_stream)
        binary = getattr(text_stream, "buffer", None)
        if binary is None:  # a text-only replacement (StringIO): no bytes to check
            stream = OutputStream(
                STDOUT_NAME, lambda data: _write_text(text_stream, data), buffered=False
            )
            yield from _run(stream)
            return
    _flush_quietly(binary)
    try:
        fd: int | None = binary.fileno()
    except (OSError, ValueError, AttributeError):
        fd = None
    if fd is None:
        target = binary
        stream = OutputStream(
            STDOUT_NAME, lambda data: _write_stream(target, data, STDOUT_NAME), buffered=False
        )
    else:
        number = fd
        stream = OutputStream(
            STDOUT_NAME,
            lambda data: _write_all(number, data, STDOUT_NAME),
            buffered=False,
            tty=os.isatty(fd),
            fileno=fd,
        )
    yield from _run(stream)


def _write_text(stream: Any, data: bytes) -> None:
    try:
        stream.write(data.decode("utf-8"))
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(f"{_why(error)} writing {STDOUT_NAME}") from error


def _flush_quietly(stream: Any) -> None:
    """Flush what the caller printed before us, so it comes first; failures are reported."""
    try:
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(f"{_why(error)} writing {STDOUT_NAME}") from error
    except (ValueError, AttributeError):  # closed or not a file: nothing to flush
        pass


def _run(stream: OutputStream) -> Iterator[OutputStream]:
    ok = False
    try:
        yield stream
        ok = True
    finally:
        stream._finish(keep=ok)


def _to_descriptor(plan: _Plan) -> Iterator[OutputStream]:
    sock: socket.socket | None = None
    try:
        if plan.mode is _Mode.OWN_FD:
            fd = os.dup(plan.fd)
        elif plan.mode is _Mode.SOCKET:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(plan.target)
            fd = sock.fileno()
        else:  # a device or FIFO: opening a FIFO waits for a reader, as a shell redirection does
            flags = os.O_WRONLY | os.O_CLOEXEC | os.O_NOCTTY
            if plan.existing is not None and stat.S_ISREG(plan.existing.st_mode):
                flags |= os.O_TRUNC
            fd = os.open(plan.target, flags)
    except OSError as error:
        if sock is not None:
            sock.close()
        raise _usage(plan.name, _why(error)) from None
    stream = OutputStream(
        plan.name, lambda data: _write_all(fd, data, plan.name), buffered=False, tty=os.isatty(fd)
    )
    ok = False
    try:
        yield from _run(stream)
        ok = True
    finally:
        if sock is not None:
            sock.close()
        elif ok:
            _close(fd, plan.name)
        else:
            _close_quietly(fd)


def _close(fd: int, name: str) -> None:
    try:
        os.close(fd)
    except OSError as error:  # NFS and friends report a failed write on close
        raise OutputError(f"{_why(error)} writing {name}") from error


def _close_quietly(fd: int) -> None:
    with suppress(OSError):
        os.close(fd)


def _keep_owner_and_mode(fd: int, existing: os.stat_result | None) -> None:
    if existing is None:
        return
    try:  # owner only works as root; the group also for its members; else keep ours
        os.fchown(fd, existing.st_uid, existing.st_gid)
    except PermissionError:
        with suppress(PermissionError):
            os.fchown(fd, -1, existing.st_gid)
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))  # after chown, which clears set-id bits


def _create_temporary(plan: _Plan) -> tuple[int, str]:
    folder, base = os.path.split(plan.target)
    mode = 0o600 if plan.existing is not None else 0o666  # a new file: 0666 & ~umask
    for _ in range(100):
        temporary = os.path.join(folder, f".{base[:200]}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(
                temporary,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW,
                mode,
            ), temporary
        except FileExistsError:
            continue
        except OSError as error:
            if error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise OutputError(f"{_why(error)} writing {plan.name}") from error
            raise _usage(plan.name, _why(error)) from None
    raise _usage(plan.name, f"cannot create a temporary file in {folder}")


@contextmanager
def _signals_held() -> Iterator[Callable[[], None]]:
    """Hold SIGTERM/SIGHUP until the caller calls the yielded release (at the latest on exit).

    Creating the temporary file and entering the ``try`` that removes it must not be split by a
    signal, or the temporary file would be left behind.
    """
    held = {signal.SIGTERM, signal.SIGHUP} if hasattr(signal, "SIGHUP") else {signal.SIGTERM}
    main = threading.current_thread() is threading.main_thread()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held) if main else None
    released = False

    def release() -> None:
        nonlocal released
        if old is not None and not released:
            released = True
            signal.pthread_sigmask(signal.SIG_SETMASK, old)

    try:
        yield release
    finally:
        release()


def _to_new_file(plan: _Plan) -> Iterator[OutputStream]:
    """Write a hidden temporary file next to the target, then rename it over the target."""
    with _signals_held() as release:
        fd, temporary = _create_temporary(plan)
        try:
            release()  # a signal that came meanwhile is raised here, inside the clean-up
            try:
                stream = OutputStream(
                    plan.name, lambda data: _write_all(fd, data, plan.name), buffered=True
                )
                yield from _run(stream)
                try:
                    _keep_owner_and_mode(fd, plan.existing)
                    os.fsync(fd)  # reports a write error the file system kept back
                except OSError as error:
                    raise OutputError(f"{_why(error)} writing {plan.name}") from error
            finally:
                _close_quietly(fd)
            try:
                os.replace(temporary, plan.target)
            except OSError as error:
                raise OutputError(f"{_why(error)} replacing {plan.name}") from error
        finally:
            with suppress(FileNotFoundError):
                os.unlink(temporary)


def _to_file_in_place(plan: _Plan) -> Iterator[OutputStream]:
    with tempfile.TemporaryFile(prefix="translate-cli-") as staging:
        staged = staging.fileno()
        staging_folder = tempfile.gettempdir()
        stream = OutputStream(
            plan.name,
            lambda data: _write_all(staged, data, f"{plan.name} (staged in {staging_folder})"),
            buffered=True,
        )
        yield from _run(stream)
        size = os.lseek(staged, 0, os.SEEK_END)
        try:
            fd = os.open(plan.target, os.O_WRONLY | os.O_CLOEXEC)
        except OSError as error:
            raise OutputError(f"{_why(error)} writing {plan.name}") from error
        ok = False
        try:
            try:
                os.posix_fallocate(fd, 0, max(size, 1))  # fail on a full disk before changing it
            except OSError as error:
                if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                    raise OutputError(f"{_why(error)} writing {plan.name}") from error
            os.lseek(staged, 0, os.SEEK_SET)
            while chunk := os.read(staged, _CHUNK):
                _write_all(fd, chunk, plan.name)
            try:
                os.ftruncate(fd, size)
                os.fsync(fd)
            except OSError as error:
                raise OutputError(f"{_why(error)} writing {plan.name}") from error
            ok = True
        finally:
            if ok:
                _close(fd, plan.name)
            else:
                _close_quietly(fd)

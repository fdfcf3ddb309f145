"""Writing outputs: what -o PATH does to each kind of file, checked writes, signals, JSON lines.

The tests that mount a tmpfs (a full disk) or replace /dev run in a private mount namespace
(``unshare -m``) so they never touch the real /dev; they need root and skip without it.
"""

from __future__ import annotations

import errno
import functools
import io
import json
import math
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_cli.errors import ExitStatus, OutputError, UsageError
from translate_cli.output import check_output, json_document, json_line, open_output
from translate_cli.signals import Terminated, install_handlers

REPO = Path(__file__).resolve().parents[1]

# A stand-in for the CLI's main: write N bytes (in lines of 100) to a target, flush per line, and
# turn our exceptions into exit statuses the way cli.py does.
DRIVER = textwrap.dedent(
    """
    import sys, time
    from translate_cli.errors import TranslateCliError
    from translate_cli.output import open_output
    from translate_cli.signals import Terminated, install_handlers

    target = None if sys.argv[1] == "-" else sys.argv[1]
    size, delay = int(sys.argv[2]), float(sys.argv[3])
    install_handlers()
    try:
        with open_output(target) as out:
            for number in range(size // 100):
                out.write(f"{number:099d}\\n")
                out.flush()
                if number == 0:
                    sys.stderr.write("ready\\n")
                    sys.stderr.flush()
                time.sleep(delay)
    except TranslateCliError as error:
        sys.stderr.write(f"translate-cli: error: {error.message}\\n")
        sys.exit(int(error.exit_status))
    except Terminated as stop:
        sys.exit(stop.exit_status)
    except BrokenPipeError:
        sys.exit(0)
    """
)


@pytest.fixture
def driver(tmp_path: Path) -> Path:
    path = tmp_path / "driver.py"
    path.write_text(DRIVER)
    return path


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


@functools.cache
def _namespace_problem() -> str | None:
    if os.geteuid() != 0:
        return "needs root for a private mount namespace (unshare -m, mount -t tmpfs, mknod)"
    try:
        probe = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "true"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unshare not usable: {error}"
    if probe.returncode != 0:
        return f"unshare -m not allowed here: {probe.stderr.strip()}"
    return None


def in_namespace(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a bash script in a private mount namespace (skips the test where that is refused)."""
    problem = _namespace_problem()
    if problem:
        pytest.skip(problem)
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "bash", "-c", "set -u\n" + script],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(**env),
        cwd=REPO,
    )


def leftovers(folder: Path, *expected: str) -> list[str]:
    return sorted(set(os.listdir(folder)) - set(expected))


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


# JSON lines ---------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"]))
    | st.sampled_from(["\u2028", "\u2029", "\x85", "a\rb", "\x0b\x0c\x1c\x1d\x1e"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_json_line_round_trips_as_exactly_one_line(value: Any) -> None:
    line = json_line(value)
    assert line.endswith("\n")
    assert line.splitlines() == [line[:-1]]
    assert json.loads(line) == value
    document = json_document(value)
    assert json.loads(document) == value
    assert not any(c in document for c in "\u2028\u2029\x85")


def test_json_line_escapes_unicode_line_separators_only() -> None:
    value = {"text": "Jakarta\u2028Bandung\u2029Bogor\x85Depok é", "id": 1}
    assert json_line(value) == (
        '{"text": "Jakarta\\u2028Bandung\\u2029Bogor\\u0085Depok é", "id": 1}\n'
    )
    assert json_document({"a": ["\u2028"]}) == '{\n  "a": [\n    "\\u2028"\n  ]\n}\n'


def test_json_escapes_what_a_terminal_would_act_on_and_keeps_the_value() -> None:
    value = {"text": "a\x1b[2J b\x9b2J c\x7f d\u202ee\u2066 é"}
    line = json_line(value)
    assert line == '{"text": "a\\u001b[2J b\\u009b2J c\\u007f d\\u202ee\\u2066 é"}\n'
    assert json.loads(line) == value and json.loads(json_document(value)) == value
    assert not any(0x7F <= ord(c) <= 0x9F or (ord(c) < 0x20 and c != "\n") for c in line)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_json_refuses_non_finite_numbers(bad: float) -> None:
    with pytest.raises(ValueError):
        json_line({"id": bad})
    with pytest.raises(ValueError):
        json_document([bad])


# check_output: refuse before any work ----------------------------------------------------------


def test_check_output_accepts_stdout_and_writable_places(tmp_path: Path) -> None:
    for path in (None, "-", str(tmp_path / "new.txt"), "/dev/null", "/dev/stdout"):
        check_output(path)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("folder", "cannot write {p}: is a directory"),
        ("missing/out.txt", "cannot write {p}: folder {t}/missing does not exist"),
        ("file.txt/out.txt", "cannot write {p}: a part of the path is not a folder"),
        ("", "cannot write '': empty output path"),
    ],
)
def test_check_output_refuses_with_the_path_and_why(
    tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("x")
    path = str(tmp_path / name) if name else ""
    for call in (lambda: check_output(path), lambda: open_output(path).__enter__()):
        with pytest.raises(UsageError) as caught:
            call()
        assert caught.value.message == message.format(p=path, t=tmp_path)
        assert caught.value.exit_status == ExitStatus.USAGE
    assert sorted(os.listdir(tmp_path)) == ["file.txt", "folder"]


def test_check_output_refuses_a_block_device(tmp_path: Path) -> None:
    device = tmp_path / "disk"
    try:
        os.mknod(device, stat.S_IFBLK | 0o600, os.makedev(7, 250))
    except PermissionError:
        pytest.skip("mknod needs root")
    with pytest.raises(UsageError, match="is a block device"):
        check_output(str(device))


def test_check_output_refuses_a_read_only_file_system(tmp_path: Path) -> None:
    (tmp_path / "ro").mkdir()
    result = in_namespace(
        f"""
        mount -t tmpfs -o ro tmpfs {tmp_path}/ro
        {sys.executable} -c '
from translate_cli.errors import UsageError
from translate_cli.output import check_output
try:
    check_output("{tmp_path}/ro/out.txt")
except UsageError as error:
    print(error.message)
'
        """
    )
    assert result.stdout == (
        f"cannot write {tmp_path}/ro/out.txt: read-only file system "
        f"(cannot create files in {tmp_path}/ro)\n"
    ), result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere; see the ro-mount test")
def test_check_output_refuses_a_folder_without_write_permission(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    with pytest.raises(UsageError, match="permission denied"):
        check_output(str(locked / "out.txt"))


# Regular files, links, modes ---------------------------------------------------------------


def test_output_file_appears_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), open_output(str(target)) as out:
        out.write("half")
        raise RuntimeError("crash mid-write")
    assert list(tmp_path.iterdir()) == []
    with open_output(str(target)) as out:
        assert out.write("whole é\n") == 8
    assert target.read_text() == "whole é\n"
    assert list(tmp_path.iterdir()) == [target]


def test_a_failed_run_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt), open_output(str(target)) as out:
        out.write("x" * 200_000)  # more than one chunk: some of it reached the temporary file
        raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert leftovers(tmp_path, "out.txt") == []


def test_an_existing_file_is_replaced_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    before = target.stat().st_ino
    with open_output(str(target)) as out:
        out.write("new")
        out.flush()
        assert target.read_text() == "old"  # readers never see half a file
    assert target.read_text() == "new"
    assert target.stat().st_ino != before


def test_a_symlink_is_kept_and_its_target_replaced(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "out.txt"
    target.write_text("old")
    (tmp_path / "link1").symlink_to("real/out.txt")
    (tmp_path / "link2").symlink_to("link1")  # a chain, relative links
    with open_output(str(tmp_path / "link2")) as out:
        out.write("new")
    assert (tmp_path / "link2").is_symlink() and os.readlink(tmp_path / "link2") == "link1"
    assert (tmp_path / "link1").is_symlink()
    assert target.read_text() == "new"
    assert leftovers(tmp_path, "real", "link1", "link2", "driver.py") == []
    assert os.listdir(tmp_path / "real") == ["out.txt"]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to("made.txt")
    with open_output(str(tmp_path / "link")) as out:
        out.write("new")
    assert (tmp_path / "link").is_symlink()
    assert (tmp_path / "made.txt").read_text() == "new"


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o640)
    with umask(0o077), open_output(str(target)) as out:
        out.write("new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text() == "new"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_an_existing_file_keeps_its_owner_when_root(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    os.chown(target, 65534, 65534)
    target.chmod(0o664)
    with open_output(str(target)) as out:
        out.write("new")
    info = target.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o664)
    assert target.read_text() == "new"


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_umask_permissions(tmp_path: Path, mask: int, mode: int) -> None:
    target = tmp_path / "new.txt"
    with umask(mask), open_output(str(target)) as out:
        out.write("x")
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_a_hard_linked_file_is_written_in_place(tmp_path: Path) -> None:
    target, other = tmp_path / "out.txt", tmp_path / "other.txt"
    target.write_text("old content, longer than the new")
    os.link(target, other)
    inode = target.stat().st_ino
    with pytest.raises(RuntimeError), open_output(str(target)) as out:
        out.write("half")
        raise RuntimeError("crash")
    assert other.read_text() == "old content, longer than the new"
    with open_output(str(other)) as out:
        out.write("new")
        out.flush()
        assert target.read_text().startswith("old")  # staged until the end
    assert target.read_text() == other.read_text() == "new"
    assert target.stat().st_ino == inode and target.stat().st_nlink == 2
    assert leftovers(tmp_path, "out.txt", "other.txt") == []


# Devices, FIFOs, sockets, /dev/stdout -----------------------------------------------------------


def test_dev_null_stays_a_device_in_a_private_namespace(driver: Path) -> None:
    result = in_namespace(
        f"""
        mount -t tmpfs tmpfs /dev
        mknod -m 666 /dev/null c 1 3
        {sys.executable} {driver} /dev/null 100000 0
        echo "rc=$?"
        stat -c '%F %a' /dev/null
        ls -A /dev
        """
    )
    assert result.stdout == "rc=0\ncharacter special file 666\nnull\n", result.stderr


def test_a_private_copy_of_dev_null_stays_a_device(tmp_path: Path) -> None:
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod needs root")
    with open_output(str(null)) as out:
        out.write("gone\n")
    assert stat.S_ISCHR(null.stat().st_mode)
    assert os.listdir(tmp_path) == ["null"]


def test_a_fifo_gets_the_output_as_it_is_written_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    lines: list[bytes] = []
    first_line = threading.Event()

    def reader() -> None:
        with open(fifo, "rb", buffering=0) as handle:
            for line in iter(handle.readline, b""):
                lines.append(line)
                first_line.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    with open_output(str(fifo)) as out:
        out.write("satu\n")
        assert first_line.wait(10), "the reader did not get the first line while we write"
        out.write("dua\n")
    thread.join(10)
    assert lines == [b"satu\n", b"dua\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_a_unix_socket_gets_the_output(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    received: list[bytes] = []

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            while data := connection.recv(65536):
                received.append(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    with open_output(str(path)) as out:
        out.write("halo\n")
    thread.join(10)
    server.close()
    assert b"".join(received) == b"halo\n"
    assert stat.S_ISSOCK(path.stat().st_mode)


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "-"])
def test_dev_stdout_writes_to_our_standard_output(tmp_path: Path, name: str) -> None:
    log = tmp_path / "log.txt"
    log.write_text("earlier\n")
    code = (
        "from translate_cli.output import open_output\n"
        f"with open_output({name!r}) as o: o.write('new\\n')"
    )
    with open(log, "ab") as appending:  # `>> log.txt`: must keep appending, not truncate
        subprocess.run([sys.executable, "-c", code], stdout=appending, env=_env(), check=True)
    assert log.read_text() == "earlier\nnew\n"
    piped = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, env=_env(), check=True
    )
    assert piped.stdout == b"new\n"
    assert os.listdir(tmp_path) == ["log.txt"]


# Checked writes ------------------------------------------------------------------------------


class _ShortWrites:
    """os.write that writes at most 3 bytes a call, then fails with ``fail_after`` calls."""

    def __init__(self, fail: int | None = None, after: int = 10**9) -> None:
        self.real = os.write
        self.fail, self.after, self.calls = fail, after, 0

    def __call__(self, fd: int, data: Any) -> int:
        self.calls += 1
        if self.fail is not None and self.calls > self.after:
            raise OSError(self.fail, os.strerror(self.fail))
        return self.real(fd, bytes(data[:3]))


@pytest.mark.parametrize("where", ["file", "stdout"])
def test_short_writes_are_retried_until_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    text = "Walikota Malang “memenuhi” undangan.\n" * 50
    target = tmp_path / "out.txt"
    monkeypatch.setattr(os, "write", _ShortWrites())
    if where == "file":
        with open_output(str(target)) as out:
            out.write(text)
    else:
        with open(target, "wb") as stdout, open_output(None, stdout=stdout) as out:
            out.write(text)
    assert target.read_text() == text


@pytest.mark.parametrize(
    ("code", "why"),
    [
        (errno.ENOSPC, "disk full"),
        (errno.EDQUOT, "disk quota exceeded"),
        (errno.EIO, "I/O error"),
        (errno.EFBIG, "file too large"),
    ],
)
@pytest.mark.parametrize("where", ["file", "stdout"])
def test_a_failed_write_is_one_output_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, why: str, where: str
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    monkeypatch.setattr(os, "write", _ShortWrites(fail=code, after=2))
    with pytest.raises(OutputError) as caught:
        if where == "file":
            with open_output(str(target)) as out:
                out.write("x" * 100)
        else:
            with (
                open(tmp_path / "stdout.txt", "wb") as stdout,
                open_output(None, stdout=stdout) as out,
            ):
                out.write("x" * 100)
    name = str(target) if where == "file" else "standard output"
    assert caught.value.message == f"{why} writing {name}"
    assert caught.value.exit_status == ExitStatus.OUTPUT_FAILED
    assert int(caught.value.exit_status) == 5
    assert target.read_text() == "old"
    assert leftovers(tmp_path, "out.txt", "stdout.txt") == []


def test_a_closed_pipe_is_a_broken_pipe_error_unchanged() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    with (
        open(write_end, "wb") as stdout,
        pytest.raises(BrokenPipeError),
        open_output(None, stdout=stdout) as out,
    ):
        out.write("halo\n")


def test_stdout_without_a_descriptor_still_works() -> None:
    buffer = io.BytesIO()
    with open_output("-", stdout=buffer) as out:
        out.write("é\n")
    assert buffer.getvalue() == "é\n".encode()


def test_stdout_is_written_through_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    read_end, write_end = os.pipe()
    with open(write_end, "wb") as stdout, open_output(None, stdout=stdout) as out:
        out.write("satu\n")  # no flush: a line reaches the reader at once
        assert os.read(read_end, 100) == b"satu\n"
    os.close(read_end)


@pytest.mark.parametrize("target", ["/dev/full", "stdout"])
def test_dev_full_is_exit_5_with_one_line(driver: Path, target: str) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    for unbuffered in ("", "1"):
        env = _env(PYTHONUNBUFFERED="1") if unbuffered else _env()
        if target == "stdout":
            with open("/dev/full", "wb") as full:
                result = subprocess.run(
                    [sys.executable, str(driver), "-", "1000", "0"],
                    stdout=full,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=env,
                )
            name = "standard output"
        else:
            result = subprocess.run(
                [sys.executable, str(driver), target, "1000", "0"],
                capture_output=True,
                text=True,
                env=env,
            )
            name = target
        assert result.returncode == 5, result.stderr
        assert result.stderr == f"translate-cli: error: disk full writing {name}\n"


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "PYTHONUNBUFFERED"])
def test_a_full_disk_is_exit_5_and_keeps_the_old_file(
    tmp_path: Path, driver: Path, unbuffered: bool
) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    env = {"PYTHONUNBUFFERED": "1"} if unbuffered else {}
    result = in_namespace(
        f"""
        mount -t tmpfs -o size=64k tmpfs {disk}
        echo old > {disk}/out.txt
        {sys.executable} {driver} {disk}/out.txt 300000 0
        echo "file rc=$?"
        {sys.executable} {driver} - 300000 0 > {disk}/stdout.txt
        echo "stdout rc=$?"
        cat {disk}/out.txt
        ls -A {disk}
        """,
        **env,
    )
    assert result.stdout == "file rc=5\nstdout rc=5\nold\nout.txt\nstdout.txt\n", result.stderr
    assert result.stderr.replace("ready\n", "") == (
        f"translate-cli: error: disk full writing {disk}/out.txt\n"
        "translate-cli: error: disk full writing standard output\n"
    )


# Signals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["TERM", "HUP"]
)
def test_a_signal_mid_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, driver: Path, signum: int, status: int
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    process = subprocess.Popen(
        [sys.executable, str(driver), str(target), "1000000", "0.01"],
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        preexec_fn=_hangup_not_ignored,
    )
    assert process.stderr is not None
    assert process.stderr.readline() == "ready\n"
    assert any(name.startswith(".out.txt.") for name in os.listdir(tmp_path))
    process.send_signal(signum)
    assert process.wait(30) == status
    assert target.read_text() == "old"
    assert leftovers(tmp_path, "out.txt", "driver.py") == []


def _hangup_not_ignored() -> None:
    # A test run under nohup hands every child an ignored SIGHUP, which install_handlers
    # rightly keeps; these tests are about a hang-up that is not ignored.
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def test_terminated_carries_the_documented_exit_statuses() -> None:
    assert Terminated(signal.SIGTERM).exit_status == ExitStatus.TERMINATED
    assert int(ExitStatus.TERMINATED) == 143
    assert Terminated(signal.SIGHUP).exit_status == ExitStatus.HANGUP
    assert int(ExitStatus.HANGUP) == 129
    assert str(Terminated(signal.SIGTERM)) == "terminated by SIGTERM"
    assert not isinstance(Terminated(signal.SIGTERM), Exception)


def test_the_first_signal_restores_the_default_so_a_second_kills() -> None:
    code = textwrap.dedent(
        """
        import os, signal, sys
        from translate_cli.signals import Terminated, install_handlers
        install_handlers()
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            signal.pause()
        except Terminated as stop:
            print(stop.signum, stop.exit_status, signal.getsignal(signal.SIGTERM) is signal.SIG_DFL,
                  signal.getsignal(signal.SIGHUP) is signal.SIG_DFL, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)
        print("still alive")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=30,
        preexec_fn=_hangup_not_ignored,
    )
    assert result.stdout == f"{int(signal.SIGTERM)} 143 True True\n"
    assert result.returncode == -signal.SIGTERM


def test_install_handlers_keeps_an_ignored_hangup_and_is_a_no_op_in_threads() -> None:
    code = textwrap.dedent(
        """
        import signal, threading
        from translate_cli.signals import install_handlers
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
        threading.Thread(target=install_handlers).start()
        install_handlers()
        print(signal.getsignal(signal.SIGHUP) is signal.SIG_IGN,
              signal.getsignal(signal.SIGTERM).__name__)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=30
    )
    assert result.stdout == "True _raise_terminated\n", result.stderr


def test_install_handlers_in_process_raises_terminated() -> None:
    saved = {n: signal.getsignal(n) for n in (signal.SIGTERM, signal.SIGHUP)}
    try:
        _hangup_not_ignored()
        install_handlers()
        with pytest.raises(Terminated) as caught:
            os.kill(os.getpid(), signal.SIGHUP)
            time.sleep(5)
        assert caught.value.exit_status == 129
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


@pytest.mark.parametrize("error", [BrokenPipeError(32, "Broken pipe"), OSError(5, "model file")])
def test_errors_of_the_caller_pass_through_unchanged(tmp_path: Path, error: OSError) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(type(error)) as caught, open_output(str(target)) as out:
        out.write("half")
        raise error
    assert caught.value is error
    assert os.listdir(tmp_path) == []


def test_a_closed_stdout_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    with pytest.raises(UsageError, match="standard output: it is closed"), open_output(None):
        pass


def test_a_full_disk_leaves_a_hard_linked_file_untouched(tmp_path: Path, driver: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    result = in_namespace(
        f"""
        mount -t tmpfs -o size=64k tmpfs {disk}
        echo old > {disk}/out.txt
        ln {disk}/out.txt {disk}/other.txt
        {sys.executable} {driver} {disk}/out.txt 300000 0
        echo "rc=$?"
        cat {disk}/other.txt
        ls -A {disk}
        """
    )
    assert result.stdout == "rc=5\nold\nother.txt\nout.txt\n", result.stderr
    assert result.stderr.replace("ready\n", "") == (
        f"translate-cli: error: disk full writing {disk}/out.txt\n"
    )

"""Who may use a server, and where it may listen."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate_cli.errors import UsageError
from translate_cli.serve.options import ServeOptions, is_loopback, read_keys


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_an_address_others_reach_needs_a_key() -> None:
    with pytest.raises(UsageError, match=r"0\.0\.0\.0 can be reached from other machines"):
        ServeOptions(host="0.0.0.0").check()
    assert ServeOptions(host="0.0.0.0", keys=frozenset({"k"})).check().host == "0.0.0.0"
    assert ServeOptions().check().host == "127.0.0.1"


def test_keys_are_checked_when_there_are_any() -> None:
    assert ServeOptions().key_accepted(None)
    keyed = ServeOptions(keys=frozenset({"alpha", "beta"}))
    assert keyed.key_accepted("beta")
    assert not keyed.key_accepted("gamma")
    assert not keyed.key_accepted("")
    assert not keyed.key_accepted(None)


def test_keys_come_from_flags_and_a_file(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# staff\nalpha\n\n  beta  \n", encoding="utf-8")
    assert read_keys(["gamma", " "], keys) == {"alpha", "beta", "gamma"}
    (tmp_path / "empty").write_text("# none yet\n", encoding="utf-8")
    with pytest.raises(UsageError, match="holds no key"):
        read_keys([], tmp_path / "empty")
    with pytest.raises(UsageError, match="cannot read"):
        read_keys([], tmp_path / "missing")


def test_the_listening_socket_says_tcp_so_answers_are_not_held_back() -> None:
    import socket

    from translate_cli.serve.server import listen

    # asyncio turns Nagle's algorithm off only for sockets whose protocol is IPPROTO_TCP
    # (socket.create_server leaves it 0): with it on, each answer on a kept-alive connection
    # waited ~40 ms for the client's delayed ACK.
    with listen("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP

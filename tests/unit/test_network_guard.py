"""The guard that keeps tests off the internet really blocks non-loopback sockets."""
import socket

import pytest

from tests.conftest import NonLoopbackConnection


def test_non_loopback_connect_fails():
    with socket.socket() as sock, pytest.raises(NonLoopbackConnection):
        sock.connect(("192.0.2.1", 80))


def test_loopback_connect_is_allowed():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket() as client:
            client.connect(server.getsockname())

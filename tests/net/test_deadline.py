"""The whole-step time limit (``net/deadline.py``) the policy fetch and the STARTTLS probe use."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from pulumi_mta_sts.net.deadline import Deadline, buffered_reader


def test_the_time_left_shrinks_and_then_is_a_timeout() -> None:
    now = [100.0]
    deadline = Deadline(5, clock=lambda: now[0])
    assert deadline.remaining() == 5 and not deadline.expired
    now[0] += 4
    assert deadline.remaining() == pytest.approx(1) and deadline.elapsed() == pytest.approx(4)
    now[0] += 1
    assert deadline.expired
    with pytest.raises(TimeoutError, match="within 5s"):
        deadline.remaining()


def test_a_line_trickled_one_byte_at_a_time_ends_at_the_deadline() -> None:
    # Each byte comes well within a per-read timeout; the line as a whole would take 100 s.
    ours, theirs = socket.socketpair()
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(0.05):
            try:
                theirs.send(b"a")
            except OSError:
                return

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        reader = buffered_reader(ours, Deadline(0.5))
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            reader.readline()
        assert time.monotonic() - started < 2.5
    finally:
        stop.set()
        sender.join()
        ours.close()
        theirs.close()


def test_the_reader_keeps_the_socket_open_until_it_is_closed() -> None:
    ours, theirs = socket.socketpair()
    try:
        reader = buffered_reader(ours, Deadline(5))
        theirs.sendall(b"line\n")
        ours.close()  # like http.client closing its connection before reading the body
        assert reader.readline() == b"line\n"
        reader.close()
    finally:
        theirs.close()

"""The whole-step time limit (``net/deadline.py``) the policy fetch and the STARTTLS probe use."""

from __future__ import annotations

import itertools
import socket

import pytest

from pulumi_mta_sts.net.deadline import Deadline, buffered_reader


def test_the_time_left_shrinks_and_then_is_a_timeout() -> None:
    now = [100.0]
    deadline = Deadline(5, clock=lambda: now[0])
    assert deadline.remaining() == 5 and deadline.elapsed() == 0
    now[0] += 4
    assert deadline.remaining() == pytest.approx(1) and deadline.elapsed() == pytest.approx(4)
    now[0] += 1
    assert deadline.elapsed() == pytest.approx(5)
    with pytest.raises(TimeoutError, match="within 5s"):
        deadline.remaining()


def test_a_line_that_never_ends_is_cut_at_the_deadline_however_fast_its_bytes_come() -> None:
    # Every read finds bytes waiting (no per-read timeout would ever fire) and none is a newline:
    # only the deadline of the whole line ends it. The clock is the test's: one second passes at
    # each look, so the deadline of 5 s allows four reads, each given only the time left.
    ours, theirs = socket.socketpair()
    ticks = itertools.count()
    deadline = Deadline(5, clock=lambda: float(next(ticks)))
    try:
        theirs.sendall(b"a" * 40_000)  # more than four reads of the reader's buffer take
        reader = buffered_reader(ours, deadline)
        with pytest.raises(TimeoutError, match="within 5s"):
            reader.readline()
        assert ours.gettimeout() == 1.0  # the last read was given the one second left
    finally:
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

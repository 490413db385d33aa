"""``config.files.write_file_atomically``: every output file the CLI writes goes through it.

A target that is a named pipe, a device, a directory or a symbolic link is refused (never opened:
a FIFO would block, a device swallow the bytes, a link write elsewhere); a regular file is replaced
by renaming a complete new file into place, with the mode the umask gives.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.config.files import UnwritableFile, write_file_atomically


def test_a_new_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    write_file_atomically(target, b"<p>x</p>")
    assert target.read_bytes() == b"<p>x</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left


def test_an_existing_file_is_replaced_not_written_through(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_bytes(b"old")
    before = os.stat(target).st_ino
    write_file_atomically(target, b"new")
    assert target.read_bytes() == b"new" and os.stat(target).st_ino != before


@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(umask=st.sampled_from([0o022, 0o077, 0o002, 0o027]))
def test_the_mode_follows_the_umask(tmp_path: Path, umask: int) -> None:
    target = tmp_path / f"out-{umask:o}.html"
    old = os.umask(umask)
    try:
        write_file_atomically(target, b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o666 & ~umask


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _symlink_to_file(path: Path) -> None:
    (path.parent / "elsewhere").write_bytes(b"keep")
    path.symlink_to(path.parent / "elsewhere")


def _dangling_symlink(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere")


def _directory(path: Path) -> None:
    path.mkdir()


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (_fifo, "is a named pipe, not a regular file"),
        (_symlink_to_file, "is a symbolic link"),
        (_dangling_symlink, "is a symbolic link"),
        (_directory, "is a directory, not a regular file"),
    ],
)
def test_a_target_that_is_not_a_regular_file_is_refused(tmp_path: Path, make: object, said: str) -> None:
    target = tmp_path / "out.html"
    make(target)  # type: ignore[operator]
    with pytest.raises(UnwritableFile) as caught:
        write_file_atomically(target, b"x")
    assert said in caught.value.reason
    assert not (tmp_path / "nowhere").exists()
    if (tmp_path / "elsewhere").exists():
        assert (tmp_path / "elsewhere").read_bytes() == b"keep"


def test_a_device_is_refused() -> None:
    with pytest.raises(UnwritableFile) as caught:
        write_file_atomically(Path("/dev/null"), b"x")
    assert "is a character device, not a regular file" in caught.value.reason


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(UnwritableFile) as caught:
        write_file_atomically(tmp_path / "no" / "x.html", b"x")
    assert f"{tmp_path / 'no'} is not a directory" in caught.value.reason

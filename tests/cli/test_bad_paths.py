"""Every command, every bad path: no traceback for what the user (or the pipe reader) did; the
message names the flag, file or config key, and says what a path really is."""

from __future__ import annotations

import bz2
import io
import json
import os
import socket
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.cli import EXIT_BROKEN_PIPE, main
from tests.missing import not_as_root

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "tlsrpt"
REPORT = CORPUS / "rfc_example.json"
STACK = (ROOT / "stacks" / "Pulumi.example-com.yaml").read_text()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def _cli(*argv: str, stdin: int | None = subprocess.DEVNULL, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "pulumi_mta_sts", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=stdin,
        **kwargs,
    )


# ---- paths of every file type -----------------------------------------------------------------------
def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _directory(path: Path) -> None:
    path.mkdir()


def _socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()


def _loop(path: Path) -> None:
    path.symlink_to(path)


def _dangling(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere")


def _device(path: Path) -> None:
    path.symlink_to("/dev/zero")


KINDS: dict[str, tuple[Callable[[Path], None], str]] = {
    "fifo": (_fifo, "is a named pipe, not a regular file"),
    "directory": (_directory, "is a directory, not a regular file"),
    "socket": (_socket, "is a socket, not a regular file"),
    "device": (_device, "is a character device, not a regular file"),
    "symlink loop": (_loop, "is not a readable file"),
    "dangling symlink": (_dangling, "does not exist"),
    "missing": (lambda path: None, "does not exist"),
}


@pytest.fixture(params=sorted(KINDS))
def odd_path(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    make, reason = KINDS[request.param]
    path = tmp_path / "report.json.gz"
    make(path)
    yield path, reason


def test_reports_parse_says_what_a_path_really_is(
    capsys: pytest.CaptureFixture[str], odd_path: tuple[Path, str]
) -> None:
    path, reason = odd_path
    code, out, _ = run(capsys, "reports", "parse", str(path), str(REPORT), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert lines[0]["source"] == str(path)
    assert lines[0]["error"].startswith(f"cannot read the file: it {reason}")
    assert lines[1]["organization_name"] == "Company-X"  # goes on after the bad path


@not_as_root
def test_an_unreadable_file_is_not_a_readable_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    path.write_text("{}")
    path.chmod(0)
    code, out, _ = run(capsys, "reports", "parse", str(path), "--json")
    assert code == 1 and "not a readable file (permission denied)" in out


def test_a_named_pipe_never_hangs_the_command(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    done = _cli("reports", "parse", str(fifo))  # timeout=60 fails the test if it blocks
    assert done.returncode == 1 and "named pipe" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_render_and_plan_say_what_a_stack_file_really_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    make, reason = KINDS[kind]
    make(tmp_path / "Pulumi.x.yaml")
    expected = "does not exist" if reason == "does not exist" else "not a readable file"
    for command in (["render"], ["plan", "--no-live-dns"]):
        code, _, err = run(capsys, *command, "--stack", "x", "--stacks-dir", str(tmp_path))
        assert code == 2
        assert err.count("\n") == 1 and f"--stack: {tmp_path / 'Pulumi.x.yaml'}" in err and expected in err


@pytest.mark.parametrize("name", ["../x", "", ".hidden", "a/b", "x\0y", "caf\udce9", "a b", "-x" * 60])
def test_a_bad_stack_name_is_a_usage_error(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, _, err = run(capsys, "render", f"--stack={name}", "--stacks-dir", str(ROOT / "stacks"))
    assert code == 2 and "--stack: must be a stack name" in err


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=20))
def test_any_stack_name_ends_in_a_result_or_one_usage_line(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, _, err = run(capsys, "render", f"--stack={name}", "--stacks-dir", str(ROOT / "stacks"))
    assert code in (0, 2)
    if code == 2:
        assert err.startswith("mta-sts render: --stack: ")


def test_a_stacks_dir_that_is_not_a_directory_names_the_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plain = tmp_path / "file"
    plain.write_text("")
    for folder, what in ((plain, "is not a directory"), (tmp_path / "missing", "does not exist")):
        code, _, err = run(capsys, "render", "--stack", "x", "--stacks-dir", str(folder))
        assert code == 2 and f"--stacks-dir: {folder} {what}" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"name: \xff\n", "is not UTF-8"),
        (b"name: [x\n", "is not valid YAML"),
        (b"- just a list\n", "must be a YAML mapping"),
    ],
)
def test_a_bad_project_file_is_named_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, expected: str
) -> None:
    (tmp_path / "Pulumi.yaml").write_bytes(content)
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.x.yaml").write_text(STACK)
    monkeypatch.chdir(tmp_path)
    for command in (["render"], ["plan", "--no-live-dns"]):
        code, _, err = run(capsys, *command, "--stack", "x")
        assert code == 2 and str(tmp_path / "Pulumi.yaml") in err and expected in err


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (STACK + "  mta-sts:domain: example.org\n", "config: line"),
        (STACK.replace("max_age: 86401", "max_age: 0o17"), "mta-sts:policy.max_age: line"),
        (STACK.replace("kind: cloudfront", "kind: cloudfront\n    verify_live: yes"), "mta-sts:host.verify_live: line"),
        (STACK + "  other:date: 2024-01-01\n  other:bin: !!binary aGk=\n  other:set: !!set {a}\n", None),
    ],
)
def test_render_reads_the_stack_file_as_pulumi_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, key: str | None
) -> None:
    (tmp_path / "Pulumi.x.yaml").write_text(text)
    code, out, err = run(capsys, "render", "--stack", "x", "--stacks-dir", str(tmp_path), "--json")
    if key is None:
        assert code == 0 and json.loads(out)["domain"] == "example.com"
    else:
        assert code == 2 and f"Pulumi.x.yaml: {key}" in err


def test_a_bad_receiver_mailbox_names_its_config_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    net = (ROOT / "stacks" / "Pulumi.example-net.yaml").read_text()
    for mailbox in ("a..b", ".reports", "reports."):
        (tmp_path / "Pulumi.x.yaml").write_text(
            net.replace("      region: eu-west-1", f"      mailbox: '{mailbox}'\n      region: eu-west-1")
        )
        code, _, err = run(capsys, "render", "--stack", "x", "--stacks-dir", str(tmp_path))
        assert code == 2 and "mta-sts:reporting.receiver.mailbox: must be a mail local part" in err
        assert "rua[" not in err


# ---- what a file really is -----------------------------------------------------------------------------
def _zip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.json", data)
    return buffer.getvalue()


@pytest.mark.parametrize(("pack", "real"), [(_zip, "a zip archive"), (bz2.compress, "bzip2-compressed data")])
def test_a_report_in_another_format_is_named_for_what_it_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, pack: Callable[[bytes], bytes], real: str
) -> None:
    path = tmp_path / "report.json.gz"
    path.write_bytes(pack(REPORT.read_bytes()))
    code, out, _ = run(capsys, "reports", "parse", str(path), "--json")
    assert code == 1 and f"the file is {real}, not a TLS report" in json.loads(out)["error"]


# ---- the output stream ---------------------------------------------------------------------------------
def test_a_reader_that_goes_away_is_not_a_traceback() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_mta_sts", "reports", "parse", *[str(REPORT)] * 3000],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()  # like `| head -1`: read one line, then close the pipe
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == EXIT_BROKEN_PIPE
    assert err == ""


def test_lone_surrogates_print_in_text_mode(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report = json.loads(REPORT.read_text())
    report["organization-name"] = "Evil \ud800 Corp"
    path = tmp_path / "caf\udce9.json"  # a file name that is not UTF-8 (surrogate-escaped)
    path.write_text(json.dumps(report, ensure_ascii=True))
    code, out, _ = run(capsys, "reports", "parse", str(path))
    assert code == 0 and "Evil ⟨U+D800⟩ Corp" in out and "caf⟨U+DCE9⟩" in out
    done = _cli(
        "reports",
        "parse",
        os.fsencode(path).decode("utf-8", "surrogateescape"),
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr and "Evil" in done.stdout


def _hostile_stack_files() -> dict[str, bytes]:
    from tests.config.test_stack_file import _alias_bomb

    good = STACK.encode()
    return {
        "not utf-8": good + b"  other:x: caf\xe9\n",
        "duplicate key": good + b"  mta-sts:domain: example.org\n",
        "deep nesting": good + b"  other:x: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "5000 digits": good.replace(b"max_age: 86401", b"max_age: " + b"7" * 5000),
        "alias bomb": _alias_bomb().encode(),
        "too large": good + b"  other:x: '" + b"x" * 300_000 + b"'\n",
    }


@pytest.mark.parametrize("kind", sorted(_hostile_stack_files()))
def test_a_hostile_stack_file_is_one_clear_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    (tmp_path / "Pulumi.x.yaml").write_bytes(_hostile_stack_files()[kind])
    for command in (["render"], ["plan", "--no-live-dns"]):
        code, _, err = run(capsys, *command, "--stack", "x", "--stacks-dir", str(tmp_path))
        assert code == 2 and "Pulumi.x.yaml" in err and len(err) < 2000, err[:300]

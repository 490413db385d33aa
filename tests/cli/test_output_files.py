"""Every file the CLI writes is written by ``config/files.write_file_atomically`` (a new file beside
the target renamed into place; a named pipe, a device, a directory or a symbolic link refused; the
mode from the umask): no other module of the package opens a file for writing. Its behaviour is
tested in tests/config/test_write_file.py and, for ``reports html``, in tests/reports/test_summary.py."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "components" / "pulumi_mta_sts"
#: The one writer.
WRITER = "config/files.py"
#: Writes that are not files the user named, each with why.
ALLOWED = {
    # after a broken pipe, stdout is pointed at /dev/null (nothing is written to a file)
    ("cli/__init__.py", "os.open"),
}
_WRITE_FLAGS = {"O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND", "O_TRUNC"}
#: Methods of a path that create or change a file (``replace``/``rename``: with one argument and
#: no keyword, as a path's; ``str.replace`` has two, ``datetime.replace`` keywords).
_PATH_WRITES = {"write_text", "write_bytes", "touch", "symlink_to", "hardlink_to", "rename", "replace"}
_MODULE_WRITES = {"os.replace", "os.rename", "os.link", "os.symlink", "os.mkfifo", "os.mknod"}
_MODULE_WRITES |= {f"shutil.{n}" for n in ("copy", "copy2", "copyfile", "copytree", "move")}
_MODULE_WRITES |= {f"tempfile.{n}" for n in ("mkstemp", "NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile")}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        return f"{owner}.{func.attr}" if owner in ("os", "shutil", "tempfile", "dataclasses") else func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _writes(call: ast.Call) -> str | None:
    """What ``call`` is, when it may create or write a file."""
    name = _name(call.func)
    one_target = len(call.args) == 1 and not call.keywords  # Path.replace(target), not str/dataclass/date
    if name in _MODULE_WRITES or (name in _PATH_WRITES and (name not in ("replace", "rename") or one_target)):
        return name
    if name == "os.open":
        words = {n.attr for n in ast.walk(call) if isinstance(n, ast.Attribute)}
        return name if words & _WRITE_FLAGS else None
    if name in ("open", "fdopen", "os.fdopen"):
        modes = [*call.args[1:2], *(k.value for k in call.keywords if k.arg == "mode")]
        text = [m.value for m in modes if isinstance(m, ast.Constant) and isinstance(m.value, str)]
        return name if any(set(m) & set("wax+") for m in text) or len(text) < len(modes) else None
    return None


def test_no_module_but_the_one_writer_writes_a_file() -> None:
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where == WRITER or where.startswith("receiver_lambda/"):  # the Lambda writes to S3, never a file
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                what = _writes(node)
                if what is not None:
                    found.add((where, what))
    assert found - ALLOWED == set()


def test_the_scan_sees_writes() -> None:
    """The scan itself finds each way of writing a file (so an empty result above means something)."""
    samples = [
        'Path("x").write_text("y")',
        'open("x", "w")',
        'open("x", mode="ab")',
        'os.open("x", os.O_WRONLY | os.O_CREAT)',
        'tempfile.mkstemp(dir="d")',
        'shutil.copy("a", "b")',
        'os.replace("a", "b")',
        'os.fdopen(fd, "wb")',
    ]
    for sample in samples:
        call = ast.parse(sample).body[0].value  # type: ignore[attr-defined]
        assert _writes(call) is not None, sample
    harmless_calls = ['open("x")', 'open("x", "rb")', 'os.open("x", os.O_RDONLY)', '"a".replace("a", "b")', "d.copy()"]
    for harmless in harmless_calls:
        call = ast.parse(harmless).body[0].value  # type: ignore[attr-defined]
        assert _writes(call) is None, harmless

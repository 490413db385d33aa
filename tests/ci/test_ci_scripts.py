"""The shell steps of the workflows (scripts/ci/), run here as the workflows run them: against a
temporary git repository for the changed-stacks logic, with a fake ``pulumi`` and ``gh`` on PATH
that record what they were asked and answer as the real ones do."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.missing import GIT

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts" / "ci"
PREVIEWS = ROOT / "tests" / "data" / "preview"
MTA_STS = ROOT / ".venv" / "bin" / "mta-sts"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}

if shutil.which("git") is None:  # pragma: no cover
    pytest.skip(GIT, allow_module_level=True)


def script(name: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {"PATH": os.environ["PATH"], "HOME": str(cwd), **GIT_ENV, **(env or {})}
    return subprocess.run(
        [str(SCRIPTS / name), *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120, check=False
    )


def fake(bin_dir: Path, name: str, body: str) -> None:
    """An executable ``name`` in ``bin_dir`` (put first on PATH) running the bash ``body``."""
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / name
    path.write_text("#!/usr/bin/env bash\nset -euo pipefail\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def path_with(bin_dir: Path) -> str:
    return f"{bin_dir}{os.pathsep}{os.environ['PATH']}"


# ---- affected-stacks.sh -------------------------------------------------------------------------
class Repo:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.path, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    def commit(self, files: dict[str, str | None]) -> str:
        for name, text in files.items():
            target = self.path / name
            if text is None:
                target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "change", "--allow-empty")
        return self.git("rev-parse", "HEAD")

    def affected(self, base: str, head: str) -> tuple[list[str], str]:
        done = script("affected-stacks.sh", base, head, cwd=self.path)
        assert done.returncode == 0, done.stderr
        return done.stdout.split(), done.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[tuple[Repo, str]]:
    project = Repo(tmp_path)
    base = project.commit(
        {
            "Pulumi.yaml": "name: mta-sts\n",
            "stacks/__main__.py": "",
            "stacks/Pulumi.example-com.yaml": "config: {}\n",
            "stacks/Pulumi.example-org.yaml": "config: {}\n",
            "components/pulumi_mta_sts/core/policy.py": "",
            "README.md": "",
        }
    )
    yield project, base


def test_a_stack_file_change_affects_that_stack(repo: tuple[Repo, str]) -> None:
    project, base = repo
    head = project.commit({"stacks/Pulumi.example-org.yaml": "config: {a: 1}\n", "README.md": "x"})
    assert project.affected(base, head) == (["example-org"], "")


@pytest.mark.parametrize(
    "changed", ["components/pulumi_mta_sts/core/policy.py", "Pulumi.yaml", "stacks/__main__.py", "pyproject.toml"]
)
def test_a_program_change_affects_every_stack(repo: tuple[Repo, str], changed: str) -> None:
    project, base = repo
    head = project.commit({changed: "# changed\n"})
    assert project.affected(base, head)[0] == ["example-com", "example-org"]


def test_other_files_affect_no_stack(repo: tuple[Repo, str]) -> None:
    project, base = repo
    head = project.commit({"README.md": "docs only", "docs/x.md": "x"})
    assert project.affected(base, head) == ([], "")


def test_a_removed_stack_is_not_previewed_but_said(repo: tuple[Repo, str]) -> None:
    project, base = repo
    head = project.commit({"stacks/Pulumi.example-org.yaml": None})
    stacks, note = project.affected(base, head)
    assert stacks == [] and "destroy stack example-org by hand" in note


def test_a_new_branch_or_unknown_base_means_every_stack(repo: tuple[Repo, str]) -> None:
    project, _ = repo
    head = project.commit({"stacks/Pulumi.example-net.yaml": "config: {}\n"})
    everything = ["example-com", "example-net", "example-org"]
    assert project.affected("0" * 40, head)[0] == everything
    assert project.affected("1234567" * 5 + "12345", head)[0] == everything


def test_the_diff_is_from_the_merge_base(repo: tuple[Repo, str]) -> None:
    """A pull request's base may move on (another merge); only the branch's own changes count."""
    project, _ = repo
    project.git("checkout", "-q", "-b", "feature")
    head = project.commit({"stacks/Pulumi.example-com.yaml": "config: {b: 2}\n"})
    project.git("checkout", "-q", "main")
    moved_base = project.commit({"stacks/Pulumi.example-org.yaml": "config: {c: 3}\n"})
    assert project.affected(moved_base, head)[0] == ["example-com"]


def test_a_stack_file_with_an_unsafe_name_is_ignored(repo: tuple[Repo, str]) -> None:
    project, base = repo
    head = project.commit({"stacks/Pulumi.$(touch pwned).yaml": "config: {}\n", "stacks/Pulumi.ok.yaml": "x: 1\n"})
    stacks, note = project.affected(base, head)
    assert stacks == ["ok"] and "not a valid stack name" in note
    assert not (project.path / "pwned").exists()


# ---- preview-mode.sh ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("env", "mode"),
    [
        ({"PULUMI_ACCESS_TOKEN": "pul-x", "PR_REPO": "o/r", "REPO": "o/r"}, "preview"),
        ({"PULUMI_BACKEND_URL": "s3://b", "PULUMI_CONFIG_PASSPHRASE": "p", "PR_REPO": "o/r", "REPO": "o/r"}, "preview"),
        ({"PULUMI_BACKEND_URL": "s3://b", "PR_REPO": "o/r", "REPO": "o/r"}, "plan"),
        ({"PULUMI_ACCESS_TOKEN": "pul-x", "PR_REPO": "fork/r", "REPO": "o/r"}, "plan"),
        ({}, "plan"),
    ],
)
def test_preview_mode(tmp_path: Path, env: dict[str, str], mode: str) -> None:
    assert script("preview-mode.sh", cwd=tmp_path, env=env).stdout.strip() == mode


# ---- comment-body.sh ----------------------------------------------------------------------------
def _fake_pulumi(tmp_path: Path, preview: str | None, code: int = 0, stderr: str = "") -> Path:
    bin_dir = tmp_path / "bin"
    out = f"cat {PREVIEWS / preview}" if preview else "true"
    fake(
        bin_dir,
        "pulumi",
        f'echo "$*" >>{tmp_path}/pulumi.calls\n{out}\nprintf %s {stderr!r} >&2\nexit {code}\n',
    )
    return bin_dir


def _body(tmp_path: Path, stack: str, mode: str, bin_dir: Path, **env: str) -> tuple[int, str]:
    done = script(
        "comment-body.sh",
        stack,
        mode,
        "comment/" + stack + ".md",
        cwd=tmp_path,
        env={
            "PATH": path_with(bin_dir),
            "MTA_STS": str(MTA_STS),
            "GITHUB_SHA": "abc123",
            "MTA_STS_NO_LIVE_DNS": "1",
            **env,
        },
    )
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, (tmp_path / "comment" / f"{stack}.md").read_text()


def test_a_preview_comment_is_preview_diffs_markdown_under_the_marker(tmp_path: Path) -> None:
    bin_dir = _fake_pulumi(tmp_path, "policy-edit.json")
    code, body = _body(tmp_path, "example-com", "preview", bin_dir, PULUMI_STACK_PREFIX="acme/mta-sts/")
    assert code == 0
    assert body.splitlines()[0] == "<!-- mta-sts-preview:example-com -->"
    assert "### MTA-STS preview: `example-com`" in body and "max-age-raised" in body
    assert "stack `acme/mta-sts/example-com`" in body and "abc123" in body
    calls = (tmp_path / "pulumi.calls").read_text()
    assert calls.strip() == "preview --json --non-interactive --stack acme/mta-sts/example-com"


def test_a_failed_preview_is_commented_and_fails(tmp_path: Path) -> None:
    code, body = _body(tmp_path, "example-com", "preview", _fake_pulumi(tmp_path, "failed.json", 255))
    assert code == 1 and "The preview failed (1 error)" in body


def test_a_preview_that_printed_nothing_says_why_escaped(tmp_path: Path) -> None:
    stderr = "error: could not log in: <script>alert(1)</script> & more\n"
    code, body = _body(tmp_path, "example-com", "preview", _fake_pulumi(tmp_path, None, 255, stderr))
    assert code == 1 and "failed (exit 255) before it printed a preview" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in body and "<script>" not in body


def test_without_credentials_the_comment_is_the_offline_plan(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake(bin_dir, "mta-sts", f'echo "$*" >{tmp_path}/plan.calls\necho "### plan of $3"\n')
    code, body = _body(tmp_path, "example-org", "plan", bin_dir, MTA_STS=str(bin_dir / "mta-sts"))
    assert code == 0 and "### plan of example-org" in body and "Offline `mta-sts plan`" in body
    assert (tmp_path / "plan.calls").read_text().strip() == "plan --stack example-org --format markdown"
    assert not (tmp_path / "pulumi.calls").exists()


def test_the_offline_plan_comment_of_a_real_stack(tmp_path: Path) -> None:
    out = tmp_path / "example-com.md"
    env = {"MTA_STS": str(MTA_STS), "MTA_STS_NO_LIVE_DNS": "1"}  # no network in tests
    done = script("comment-body.sh", "example-com", "plan", str(out), cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    body = out.read_text()
    assert body.startswith("<!-- mta-sts-preview:example-com -->\n") and "_mta-sts.example.com" in body


def test_a_bad_stack_name_or_mode_is_refused(tmp_path: Path) -> None:
    assert script("comment-body.sh", "a;b", "plan", "x.md", cwd=tmp_path).returncode == 2
    assert script("comment-body.sh", "ok", "up", "x.md", cwd=tmp_path).returncode == 2


def test_a_huge_comment_is_cut_to_fit(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake(bin_dir, "mta-sts", "head -c 200000 /dev/zero | tr '\\0' x\n")
    _, body = _body(tmp_path, "big", "plan", bin_dir, MTA_STS=str(bin_dir / "mta-sts"))
    assert len(body) < 65_536 and body.rstrip().endswith("cut to fit a GitHub comment._")


# ---- upsert-comment.sh --------------------------------------------------------------------------
def _fake_gh(tmp_path: Path, existing: str) -> Path:
    """A gh that answers the comment listing with ``existing`` (what ``--jq`` would select)."""
    bin_dir = tmp_path / "bin"
    fake(
        bin_dir,
        "gh",
        f'printf "%s\\n" "$*" >>{tmp_path}/gh.calls\n'
        f'if [[ " $* " == *" --paginate "* ]]; then printf %b {existing!r}; fi\n'
        f'for a in "$@"; do [[ $a == body=@* ]] && cat "${{a#body=@}}" >{tmp_path}/posted.md; done; true\n',
    )
    return bin_dir


def _upsert(
    tmp_path: Path, existing: str, stack: str = "example-com"
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    body = tmp_path / "body.md"
    body.write_text(f"<!-- mta-sts-preview:{stack} -->\nhello\n")
    done = script(
        "upsert-comment.sh",
        "acme/mail",
        "42",
        stack,
        str(body),
        cwd=tmp_path,
        env={"PATH": path_with(_fake_gh(tmp_path, existing))},
    )
    calls = (tmp_path / "gh.calls").read_text().splitlines() if (tmp_path / "gh.calls").exists() else []
    return done, calls


def test_the_first_push_posts_one_comment(tmp_path: Path) -> None:
    done, calls = _upsert(tmp_path, "")
    assert done.returncode == 0, done.stderr
    assert calls[0].startswith("api --paginate repos/acme/mail/issues/42/comments --jq ")
    assert (
        'select(.user.login == "github-actions[bot]"' in calls[0] and "<!-- mta-sts-preview:example-com -->" in calls[0]
    )
    assert calls[1] == f"api --method POST repos/acme/mail/issues/42/comments -F body=@{tmp_path / 'body.md'}"
    assert (tmp_path / "posted.md").read_text().endswith("hello\n")


def test_later_pushes_edit_the_comment_in_place(tmp_path: Path) -> None:
    done, calls = _upsert(tmp_path, "998877\n")
    assert done.returncode == 0 and "updated comment 998877" in done.stdout
    assert calls[1] == f"api --method PATCH repos/acme/mail/issues/comments/998877 -F body=@{tmp_path / 'body.md'}"


def test_a_listing_that_is_no_comment_id_is_refused(tmp_path: Path) -> None:
    done, calls = _upsert(tmp_path, "12; rm -rf /\n")
    assert done.returncode == 2 and "not a comment id" in done.stderr and len(calls) == 1


def test_a_body_without_its_marker_is_refused(tmp_path: Path) -> None:
    body = tmp_path / "body.md"
    body.write_text("hello\n")
    done = script("upsert-comment.sh", "acme/mail", "42", "example-com", str(body), cwd=tmp_path)
    assert done.returncode == 2 and "does not start with" in done.stderr


# ---- fork comments ------------------------------------------------------------------------------
def test_fork_comments_are_posted_only_for_the_previewed_commit(tmp_path: Path) -> None:
    comments = tmp_path / "comments"
    comments.mkdir()
    sha = "a" * 40
    assert script("fork-artifact.sh", str(comments), "42", sha, cwd=tmp_path).returncode == 0
    (comments / "example-org.md").write_text("<!-- mta-sts-preview:example-org -->\nplan\n")
    (comments / "bad name.md").write_text("x")
    bin_dir = tmp_path / "bin"
    fake(
        bin_dir,
        "gh",
        f'printf "%s\\n" "$*" >>{tmp_path}/gh.calls\nif [[ $* == *pulls/42* ]]; then echo "$CURRENT_SHA"; fi\n',
    )
    env = {"PATH": path_with(bin_dir), "REPO": "acme/mail", "HEAD_SHA": sha}
    done = script("post-fork-comments.sh", str(comments), cwd=tmp_path, env={**env, "CURRENT_SHA": sha})
    assert done.returncode == 0 and "skipping" in done.stderr
    assert any(
        "POST repos/acme/mail/issues/42/comments" in line for line in (tmp_path / "gh.calls").read_text().splitlines()
    )
    (tmp_path / "gh.calls").unlink()
    done = script("post-fork-comments.sh", str(comments), cwd=tmp_path, env={**env, "CURRENT_SHA": "b" * 40})
    assert done.returncode == 0 and "nothing posted" in done.stderr
    assert "POST" not in (tmp_path / "gh.calls").read_text()


def test_fork_artifact_refuses_a_bad_number(tmp_path: Path) -> None:
    assert script("fork-artifact.sh", "c", "42; rm -rf /", "a" * 40, cwd=tmp_path).returncode == 2


# ---- deploy-stack.sh ----------------------------------------------------------------------------
def test_deploy_runs_pulumi_up_then_checks_the_domain(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake(
        bin_dir,
        "pulumi",
        f'echo "pulumi $*" >>{tmp_path}/calls\nif [[ $1 == stack ]]; then echo example.com; fi\n',
    )
    fake(bin_dir, "mta-sts", f'echo "mta-sts $*" >>{tmp_path}/calls\n')
    env = {"PATH": path_with(bin_dir), "MTA_STS": str(bin_dir / "mta-sts"), "PULUMI_STACK_PREFIX": "acme/mta-sts/"}
    done = script("deploy-stack.sh", "example-com", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "calls").read_text().splitlines() == [
        "pulumi up --yes --non-interactive --stack acme/mta-sts/example-com",
        "pulumi stack output domain --stack acme/mta-sts/example-com",
        "mta-sts check example.com --no-smtp",
    ]


def test_deploy_stops_when_pulumi_up_fails(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake(bin_dir, "pulumi", f'echo "pulumi $*" >>{tmp_path}/calls\n[[ $1 != up ]]\n')
    done = script("deploy-stack.sh", "example-com", cwd=tmp_path, env={"PATH": path_with(bin_dir)})
    assert done.returncode != 0 and (tmp_path / "calls").read_text().count("\n") == 1

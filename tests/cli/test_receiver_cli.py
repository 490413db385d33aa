"""``mta-sts receiver test`` against the real handler on loopback.

A small HTTPS server on 127.0.0.1 (certificate from the fixture CA, trusted through
``SSL_CERT_FILE``) turns each request into the event API Gateway gives the function (payload
format 2.0, the same as a function URL's) and answers with what
:func:`pulumi_mta_sts.receiver_lambda.handler.handler` returns; the handler stores into moto's S3.
``--stack`` is tested with a stand-in ``pulumi`` executable on ``PATH`` printing stack outputs.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.cli.receiver import EXIT_NOT_STORED, EXIT_STORED, EXIT_UNREACHABLE, checked_endpoint, sample_report
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.receiver_lambda.contract import TEST_ORGANIZATION, TEST_REPORT_ID_PREFIX
from pulumi_mta_sts.receiver_lambda.handler import handler
from pulumi_mta_sts.reports.limits import DEFAULT_LIMITS
from pulumi_mta_sts.reports.parse import parse_body
from tests.livefixture.pki import Pki
from tests.strategies import hostname

BUCKET = "receiver-test-bucket"
DOMAIN = "example.com"
EXIT_USAGE = 2

Answerer = Callable[[dict[str, Any]], dict[str, Any]]


class _Front(BaseHTTPRequestHandler):
    """API Gateway in front of the function: request → payload 2.0 event → handler → response."""

    server: _FrontServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        event = {
            "version": "2.0",
            "rawPath": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "requestContext": {"http": {"method": "POST", "path": self.path}, "requestId": str(uuid.uuid4())},
            "body": base64.b64encode(self.rfile.read(length)).decode(),
            "isBase64Encoded": True,
        }
        self.server.events.append(event)
        result = self.server.answer(event)
        body = str(result.get("body", "")).encode()
        self.send_response(int(result["statusCode"]))
        for key, value in (result.get("headers") or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _FrontServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: Answerer) -> None:
        super().__init__(("127.0.0.1", 0), _Front)
        self.answer = answer
        self.events: list[dict[str, Any]] = []


@pytest.fixture(scope="module")
def pki() -> Iterator[Pki]:
    authority = Pki()
    yield authority
    authority.close()


@pytest.fixture
def serve(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Answerer], tuple[str, _FrontServer]]]:
    """Start a loopback HTTPS front answering with ``answerer``; returns its URL and server."""
    monkeypatch.setenv("SSL_CERT_FILE", pki.cafile)
    servers: list[_FrontServer] = []

    def start(answerer: Answerer) -> tuple[str, _FrontServer]:
        server = _FrontServer(answerer)
        server.socket = pki.server_context("127.0.0.1").wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()  # serves once bound: no wait
        servers.append(server)
        return f"https://127.0.0.1:{server.server_address[1]}/", server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "BUCKET": BUCKET,
        "DOMAINS": DOMAIN,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield client


def _real_handler(event: dict[str, Any]) -> dict[str, Any]:
    return handler(event)


def _stored_line(out: str) -> list[str]:
    [line] = [line for line in out.splitlines() if line.startswith("stored: ")]
    return line.removeprefix("stored: ").split(", ")


# ---- against the real handler and moto's S3 -----------------------------------------------------


def test_the_sample_report_is_stored_by_the_real_handler(
    serve: Callable[[Answerer], tuple[str, _FrontServer]], s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url, front = serve(_real_handler)
    code = main(["receiver", "test", "--endpoint", url, "--domain", DOMAIN])
    out = capsys.readouterr().out
    assert code == EXIT_STORED, out
    [event] = front.events
    assert event["headers"]["content-type"] == "application/tlsrpt+gzip"
    for key in _stored_line(out):
        stored = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
        assert stored["organization_name"] == TEST_ORGANIZATION
        assert stored["report_id"].startswith(TEST_REPORT_ID_PREFIX)
        assert key.startswith("test/")  # the handler keeps the test contract


def test_a_domain_the_receiver_does_not_serve_is_not_stored_and_says_why(
    serve: Callable[[Answerer], tuple[str, _FrontServer]], s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = serve(_real_handler)
    code = main(["receiver", "test", "--endpoint", url, "--domain", "other.example"])
    out = capsys.readouterr().out
    assert code == EXIT_NOT_STORED
    assert "not stored: HTTP 403" in out and "--domain" in out


@pytest.mark.parametrize(
    ("status", "body", "expect"),
    [
        (429, '{"message":"Too Many Requests"}', "throttle"),
        (500, "Internal Server Error", "Internal Server Error"),
        (200, '{"status": "refused"}', 'HTTP 200: {"status": "refused"}'),
        (302, "", "HTTP 302"),
        (400, '{"error": "bad \\u001b[31mred"}', "bad ⟨U+001B⟩[31mred"),
    ],
)
def test_every_other_answer_is_not_stored_with_its_reason(
    serve: Callable[[Answerer], tuple[str, _FrontServer]],
    capsys: pytest.CaptureFixture[str],
    status: int,
    body: str,
    expect: str,
) -> None:
    url, _ = serve(lambda event: {"statusCode": status, "headers": {"location": "https://elsewhere/"}, "body": body})
    code = main(["receiver", "test", "--endpoint", url, "--domain", DOMAIN])
    out = capsys.readouterr().out
    assert code == EXIT_NOT_STORED
    assert expect in out and "\x1b" not in out


def test_an_unreachable_endpoint_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    server = _FrontServer(_real_handler)  # bound, then closed: nothing listens on the port
    port = server.server_address[1]
    server.server_close()
    code = main(["receiver", "test", "--endpoint", f"https://127.0.0.1:{port}/", "--domain", DOMAIN])
    assert code == EXIT_UNREACHABLE
    assert "unreachable" in capsys.readouterr().out


def test_an_untrusted_certificate_is_unreachable_not_a_traceback(
    serve: Callable[[Answerer], tuple[str, _FrontServer]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, front = serve(_real_handler)
    monkeypatch.setenv("SSL_CERT_FILE", os.devnull)
    assert main(["receiver", "test", "--endpoint", url, "--domain", DOMAIN]) == EXIT_UNREACHABLE
    assert "CERTIFICATE_VERIFY_FAILED" in capsys.readouterr().out and front.events == []


# ---- the sample report ---------------------------------------------------------------------------


@given(domain=hostname)
@settings(max_examples=50, deadline=None)
def test_the_sample_report_is_a_valid_rfc8460_report_about_the_domain(domain: str) -> None:
    report_id = TEST_REPORT_ID_PREFIX + "20261201T000000Z-0123abcd"
    result = parse_body(sample_report(domain, report_id), "sample", DEFAULT_LIMITS)
    assert result.failures == []
    [parsed] = result.reports
    assert parsed.report["organization_name"] == TEST_ORGANIZATION
    assert parsed.report["report_id"] == report_id
    assert [p["policy_domain"] for p in parsed.report["policies"]] == [domain]


# ---- finding the endpoint ------------------------------------------------------------------------


def _fake_pulumi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stdout: str, code: int = 0) -> Path:
    """A ``pulumi`` on PATH that prints ``stdout`` and records its arguments."""
    script = tmp_path / "pulumi"
    args_file = tmp_path / "args"
    script.write_text(
        f"#!/bin/sh\necho \"$@\" > {args_file}\ncat <<'EOF'\n{stdout}\nEOF\n"
        + (f"echo 'error: no stack named x' >&2\nexit {code}\n" if code else "")
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    return args_file


def test_stack_outputs_give_the_endpoint_and_the_domain(
    serve: Callable[[Answerer], tuple[str, _FrontServer]],
    s3: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, front = serve(_real_handler)
    endpoint = url.rstrip("/")  # as API Gateway gives it: https://<id>.execute-api.<region>.amazonaws.com
    outputs = {"domain": DOMAIN, "tlsrpt_receiver": {"https_endpoint": endpoint, "mailbox": "r@tlsrpt.example.com"}}
    args_file = _fake_pulumi(tmp_path, monkeypatch, json.dumps(outputs))
    assert main(["receiver", "test", "--stack", "prod"]) == EXIT_STORED
    assert args_file.read_text().split() == ["stack", "output", "--json", "--stack", "prod"]
    assert len(front.events) == 1 and f"about {DOMAIN}" in capsys.readouterr().out
    assert front.events[0]["rawPath"] == "/"


@pytest.mark.parametrize(
    ("outputs", "code", "says"),
    [
        ({"domain": DOMAIN}, 0, "receiver is not enabled"),
        ({"domain": DOMAIN, "tlsrpt_receiver": {"https_endpoint": None, "mailbox": "r@t.example.com"}}, 0, "r@t"),
        ({"domain": DOMAIN, "tlsrpt_receiver": {"https_endpoint": "http://x.example/"}}, 0, "https://"),
        ({"tlsrpt_receiver": {"https_endpoint": "https://x.example/"}}, 0, "stack output domain"),
        ("not json", 0, "JSON object"),
        ({}, 255, "no stack named x"),
    ],
)
def test_what_the_stack_lacks_is_a_usage_error_naming_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    outputs: object,
    code: int,
    says: str,
) -> None:
    _fake_pulumi(tmp_path, monkeypatch, outputs if isinstance(outputs, str) else json.dumps(outputs), code)
    assert main(["receiver", "test", "--stack", "x"]) == EXIT_USAGE
    assert says in capsys.readouterr().err


def test_without_the_pulumi_cli_it_says_what_to_pass_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["receiver", "test", "--stack", "prod"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--stack" in err and "--endpoint URL" in err and "--domain DOMAIN" in err


def test_endpoint_without_domain_and_both_flags_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["receiver", "test", "--endpoint", "https://x.example/"]) == EXIT_USAGE
    assert "--domain" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["receiver", "test", "--endpoint", "https://x.example/", "--stack", "s"])
    assert exit_info.value.code == EXIT_USAGE


@given(
    url=st.one_of(
        st.text(max_size=40),
        st.sampled_from(
            ["http://x.example/", "ftp://x.example/", "https://", "https://u:p@x.example/", "https://x/#f"]
        ),
        st.builds(lambda t: f"https://x.example/{t}", st.text(alphabet=" \t\n\x00\x1b\u2028", min_size=1, max_size=3)),
    )
)
def test_a_bad_endpoint_is_refused_naming_the_flag(url: str) -> None:
    if url.startswith("https://") and checked_endpoint_ok(url):
        return
    with pytest.raises(InputError) as err:
        checked_endpoint(url, "--endpoint")
    assert [p.field for p in err.value.problems] == ["--endpoint"]


def checked_endpoint_ok(url: str) -> bool:
    try:
        checked_endpoint(url, "--endpoint")
    except InputError:
        return False
    return True


@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf", "601"])
def test_a_bad_timeout_is_a_usage_error(timeout: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["receiver", "test", "--endpoint", "https://x.example/", "--domain", DOMAIN, "--timeout", timeout]) == 2
    assert "--timeout" in capsys.readouterr().err


def test_without_a_flag_the_selected_stack_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args_file = _fake_pulumi(tmp_path, monkeypatch, json.dumps({"domain": DOMAIN}))
    assert main(["receiver", "test"]) == EXIT_USAGE  # that stack has no receiver
    assert args_file.read_text().split() == ["stack", "output", "--json"]
    assert "receiver is not enabled" in capsys.readouterr().err


def test_a_receiver_that_does_not_know_test_reports_is_named(
    serve: Callable[[Answerer], tuple[str, _FrontServer]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = serve(lambda event: {"statusCode": 200, "body": '{"stored": ["reports/x.json"], "test_reports": 0}'})
    assert main(["receiver", "test", "--endpoint", url, "--domain", DOMAIN]) == EXIT_STORED
    out = capsys.readouterr().out
    assert "stored: reports/x.json" in out and "counted it as real" in out

"""``mta-sts receiver test``: post a sample report marked as a test to a deployed receiver's HTTPS
endpoint. Exit 0 stored, 1 not stored, 2 usage, 3 unreachable. Standard library only (base install).
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import secrets
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonInputError, load_bounded_json
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.receiver_lambda.contract import TEST_ORGANIZATION, TEST_REPORT_ID_PREFIX

from .argtypes import add_command, add_flag

RECEIVER_OUTPUT = "tlsrpt_receiver"
ENDPOINT_OUTPUT = "https_endpoint"
DOMAIN_OUTPUT = "domain"

EXIT_STORED = 0
EXIT_NOT_STORED = 1
EXIT_UNREACHABLE = 3
DEFAULT_TIMEOUT_SECONDS = 30.0
#: Most bytes of the endpoint's answer read (a receiver answers with a few hundred).
MAX_ANSWER_BYTES = 64 * 1024
#: Most characters of what the endpoint said that are printed (it may be anyone's server).
ANSWER_CHARS = 500
PULUMI_TIMEOUT_SECONDS = 120


def register(sub: Any) -> None:
    helps = "operate a deployed TLS-RPT receiver (test it)"
    parser = add_command(sub, "receiver", None, helps, "Operate a deployed TLS-RPT receiver.")
    actions = parser.add_subparsers(dest="receiver_command", metavar="ACTION", required=True)
    test = add_command(
        actions,
        "test",
        run_test,
        "post a marked sample report to the receiver's HTTPS endpoint and say whether it was stored",
        "Post a sample TLS-RPT report, marked as a test, to the deployed receiver's HTTPS endpoint "
        "and say whether it was stored. Exit 0 stored, 1 not stored, 2 usage error, 3 unreachable.",
    )
    where = test.add_mutually_exclusive_group()
    add_flag(where, "stack", "read the endpoint from this Pulumi stack's outputs")
    where.add_argument("--endpoint", metavar="URL", help="the receiver's HTTPS endpoint (no Pulumi CLI needed)")
    test.add_argument("--domain", metavar="DOMAIN", help="the policy domain the report is about (default: the stack's)")
    # a float, checked by _target: a wrong value is one line naming --timeout (exit 2)
    add_flag(test, "timeout", "give up after this long", type=float, default=DEFAULT_TIMEOUT_SECONDS, metavar="SECONDS")


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    text: str

    @property
    def stored(self) -> list[str]:
        """An older receiver says ``key``."""
        keys = self.body.get("stored")
        if isinstance(keys, list):
            return [str(k) for k in keys]
        key = self.body.get("key")
        return [str(key)] if self.body.get("status") == "stored" and key else []


def run_test(args: argparse.Namespace) -> int:
    endpoint, domain = _target(args)
    report_id = TEST_REPORT_ID_PREFIX + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + secrets.token_hex(4)
    body = gzip.compress(sample_report(domain, report_id), mtime=0)
    print(f"posting test report {report_id} about {domain} to {endpoint}")
    try:
        answer = post_report(endpoint, body, timeout=args.timeout)
    except (OSError, http.client.HTTPException) as exc:  # URLError, TLS, timeouts, refused, bad HTTP
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        print(f"unreachable: {terminal.shown(reason, ANSWER_CHARS)}")
        return EXIT_UNREACHABLE
    return _verdict(answer)


def _verdict(answer: Answer) -> int:
    stored = answer.stored
    if 200 <= answer.status < 300 and stored:
        print(f"stored: {terminal.shown(', '.join(stored), ANSWER_CHARS)}")
        if not answer.body.get("test_reports"):
            print("note: this receiver does not mark test reports (deploy the current version): it counted it as real")
        return EXIT_STORED
    if 200 <= answer.status < 300 and answer.body.get("status") == "duplicate":
        print(f"stored already (a duplicate): {terminal.shown(answer.body.get('key'), ANSWER_CHARS)}")
        return EXIT_STORED
    print(f"not stored: HTTP {answer.status}: {terminal.shown(_explain(answer), ANSWER_CHARS)}")
    return EXIT_NOT_STORED


def _explain(answer: Answer) -> str:
    reason = answer.body.get("error") or answer.body.get("message") or answer.text.strip()[:200]
    if answer.status == 429:
        return f"{reason or 'too many requests'} (the endpoint's throttle; try again in a minute)"
    if answer.status == 403:
        return f"{reason or 'forbidden'} (is --domain a domain this receiver serves?)"
    return str(reason or "no reason given")


def sample_report(domain: str, report_id: str) -> bytes:
    """A valid report for yesterday claiming nothing about the mail (no session, no policy found)."""
    day = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    report = {
        "organization-name": TEST_ORGANIZATION,
        "date-range": {"start-datetime": f"{day}T00:00:00Z", "end-datetime": f"{day}T23:59:59Z"},
        "contact-info": "mta-sts receiver test (pulumi-mta-sts)",
        "report-id": report_id,
        "policies": [
            {
                "policy": {"policy-type": "no-policy-found", "policy-domain": domain},
                "summary": {"total-successful-session-count": 0, "total-failure-session-count": 0},
            }
        ],
    }
    return json.dumps(report, sort_keys=True).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer: a receiver never redirects, and a POST must not turn into a GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post_report(endpoint: str, body: bytes, *, timeout: float) -> Answer:
    request = urllib.request.Request(
        endpoint,
        data=body,
        method="POST",
        headers={"Content-Type": "application/tlsrpt+gzip", "User-Agent": "mta-sts receiver test"},
    )
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(request, timeout=timeout) as response:
            return _answer(response.status, response.read(MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as exc:
        with exc:
            return _answer(exc.code, exc.read(MAX_ANSWER_BYTES))


def _answer(status: int, raw: bytes) -> Answer:
    text = raw.decode("utf-8", "replace")
    try:
        body = load_bounded_json(text)
    except JsonInputError:
        body = {}
    return Answer(status=status, body=body if isinstance(body, dict) else {}, text=text)


def _target(args: argparse.Namespace) -> tuple[str, str]:
    if args.timeout is None or not 0 < args.timeout <= 600:
        raise InputError([Problem("--timeout", args.timeout, "must be more than 0 and at most 600 seconds")])
    if args.endpoint is not None:
        return _given_target(args.endpoint, args.domain)
    outputs = stack_outputs(args.stack)
    endpoint = _receiver_endpoint(outputs, args.stack)
    if args.domain is not None:
        return endpoint, _checked_domain(args.domain, "--domain")
    return endpoint, _checked_domain(outputs.get(DOMAIN_OUTPUT), f"stack output {DOMAIN_OUTPUT}")


def _given_target(endpoint: str, domain: str | None) -> tuple[str, str]:
    problems: list[Problem] = []
    checked: list[str] = []
    for check, value, field in ((checked_endpoint, endpoint, "--endpoint"), (_checked_domain, domain, "--domain")):
        try:
            if value is None:
                reason = "is required with --endpoint: the policy domain the receiver serves (the stack output domain)"
                raise InputError([Problem(field, None, reason)])
            checked.append(check(value, field))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return checked[0], checked[1]


def checked_endpoint(url: object, field: str) -> str:
    reason = "must be an https:// URL such as the stack output tlsrpt_receiver.https_endpoint"
    if not isinstance(url, str) or not url.isprintable() or any(ch.isspace() for ch in url):
        raise InputError([Problem(field, url, reason)])
    try:
        parts = urllib.parse.urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        raise InputError([Problem(field, url, reason)]) from None
    if parts.scheme.lower() != "https" or not parts.hostname or parts.username or parts.fragment or not port_ok:
        raise InputError([Problem(field, url, reason)])
    return url


def _checked_domain(domain: object, field: str) -> str:
    normal, problems = normalize_hostname(domain, field)
    if problems or normal is None:
        raise InputError(problems or [Problem(field, domain, "is required")])
    return normal


def _stack_field(stack: str | None) -> str:
    """Never a flag the user did not type."""
    return "--stack" if stack is not None else "the selected Pulumi stack"


def stack_outputs(stack: str | None) -> dict[str, Any]:
    field, value = _stack_field(stack), stack
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        reason = (
            "needs the Pulumi CLI to read the stack outputs, and it is not installed here; pass --endpoint URL "
            "(the output tlsrpt_receiver.https_endpoint) and --domain DOMAIN instead"
        )
        raise InputError([Problem(field, value, reason)])
    command = [pulumi, "stack", "output", "--json", *(["--stack", stack] if stack is not None else [])]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PULUMI_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError([Problem(field, value, f"pulumi stack output failed: {exc}")]) from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise InputError([Problem(field, value, f"pulumi stack output failed: {last}")])
    try:
        outputs = load_bounded_json(done.stdout)
    except JsonInputError:
        outputs = None
    if not isinstance(outputs, dict):
        raise InputError([Problem(field, value, "pulumi stack output --json did not print a JSON object")])
    return outputs


def _receiver_endpoint(outputs: dict[str, Any], stack: str | None) -> str:
    receiver = outputs.get(RECEIVER_OUTPUT)
    if not isinstance(receiver, dict):
        reason = f"has no output {RECEIVER_OUTPUT}: the receiver is not enabled (mta-sts:reporting.receiver)"
        raise InputError([Problem(_stack_field(stack), stack, reason)])
    endpoint = receiver.get(ENDPOINT_OUTPUT)
    if endpoint is None:
        mailbox = receiver.get("mailbox") or "the receiver's mailbox"
        reason = f"has no HTTPS endpoint (https: false); test by mail instead: send a report to {mailbox}"
        raise InputError([Problem(_stack_field(stack), stack, reason)])
    return checked_endpoint(endpoint, f"stack output {RECEIVER_OUTPUT}.{ENDPOINT_OUTPUT}")

"""``TlsRptReceiver`` checks every argument before it registers anything.

Cases are generated: every checked field of :class:`ReceiverSettings` gets values of the right
type that are out of range or malformed, and the component must refuse each one with the same
``Problem`` (field and words) as the stack configuration, while the recorder shows that not even
the component was registered. The other arguments (domain, extra domains, DNS backend, alarm
address, metric namespace) get their own cases. A missing ``pulumi_aws`` names the extra.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.config.stack import load_stack_config
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.dns import DnsBackend, Route53Dns, Route53DnsArgs
from pulumi_mta_sts.receiver.args import CheckedReceiverArgs, check_receiver_args
from pulumi_mta_sts.receiver.component import TlsRptReceiver, TlsRptReceiverArgs
from pulumi_mta_sts.spec.receiver_settings import ReceiverSettings
from tests.pulumi_mock import Recorder

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"
VALID = ReceiverSettings(region=REGION, rule_set_name="default-rule-set")
CONFIG_PREFIX = "mta-sts:reporting.receiver."

#: Values of the right type that are still wrong, per kind of setting.
BAD_WHOLE_NUMBERS = (0, -1, 10**12)
BAD_NAMES = ("no spaces!", "semi;colon", "a" * 300)
#: Blank strings: the stack configuration refuses them before its range checks ("must be a
#: non-empty string"); the component names the field too, in the words of the range check.
BLANK_NAMES = ("", "   ")
#: Settings that are switches, not checked values (any bool is right).
SWITCHES = {"create_rule_set", "https"}


def _bad_settings_cases() -> list[tuple[str, object]]:
    """(field, value) for every checked field of ReceiverSettings, from the dataclass itself:
    a new setting gets cases without anyone remembering to add them."""
    cases: list[tuple[str, object]] = []
    for spec in dataclasses.fields(ReceiverSettings):
        if spec.name in SWITCHES:
            continue
        numeric = isinstance(spec.default, int) or spec.name == "reserved_concurrency"
        bad: tuple[object, ...] = BAD_WHOLE_NUMBERS if numeric else BAD_NAMES
        cases.extend((spec.name, value) for value in bad)
    return cases


BAD_SETTINGS = _bad_settings_cases()


def with_setting(field: str, value: object) -> ReceiverSettings:
    """The valid settings with one field replaced by any value (the check must take anything)."""
    return dataclasses.replace(VALID, **{field: value})  # type: ignore[arg-type]


def refused(mocks: Recorder, make_args: Callable[[DnsBackend], TlsRptReceiverArgs]) -> list[Problem]:
    """Build a receiver from ``make_args(dns)``; return its problems after checking that only
    the test's own DNS backend was registered: no receiver, no child, no invoke."""

    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_id="Z0123456789EXAMPLE"))
        TlsRptReceiver("tlsrpt", make_args(dns))

    with pytest.raises(InputError) as err:
        mocks.run(program)
    assert [(r.type, r.name) for r in mocks.resources] == [("mta-sts:dns:Route53Dns", "dns")]
    assert mocks.invocations == []
    return list(err.value.problems)


def config_problems(field: str, value: object) -> list[Problem]:
    """What the stack configuration says of the same receiver setting (prefix removed)."""
    receiver: dict[str, Any] = {"enabled": True, "region": REGION, "rule_set_name": "default-rule-set"}
    receiver[field] = value
    values = {
        "domain": "example.com",
        "dns": {"provider": "route53"},
        "policy": {"mx": ["mx.example.com"]},
        "reporting": {"receiver": receiver},
    }
    with pytest.raises(InputError) as err:
        load_stack_config(values)
    return [
        Problem(p.field.removeprefix(CONFIG_PREFIX), p.value, p.reason)
        for p in err.value.problems
        if p.field.startswith(CONFIG_PREFIX)
    ]


def test_the_generated_cases_cover_every_checked_setting() -> None:
    checked = {f.name for f in dataclasses.fields(ReceiverSettings)} - SWITCHES
    assert {field for field, _ in BAD_SETTINGS} == checked
    assert len(BAD_SETTINGS) >= 3 * len(checked)


@pytest.mark.parametrize(("field", "value"), BAD_SETTINGS, ids=[f"{f}={v!r:.20}" for f, v in BAD_SETTINGS])
def test_a_bad_setting_registers_nothing_and_says_what_the_stack_config_says(
    pulumi_mocks: Recorder, field: str, value: object
) -> None:
    settings = with_setting(field, value)
    problems = refused(pulumi_mocks, lambda dns: TlsRptReceiverArgs("example.com", dns, settings))
    assert problems, field
    assert {p.field for p in problems} == {field}
    assert problems == config_problems(field, value)


@pytest.mark.parametrize(
    ("make_args", "field", "words"),
    [
        (lambda dns: TlsRptReceiverArgs("", dns, VALID), "domain", "is empty"),
        (lambda dns: TlsRptReceiverArgs("192.0.2.1", dns, VALID), "domain", "IP address"),
        (lambda dns: TlsRptReceiverArgs("example.com", dns, ReceiverSettings(region=REGION)), "rule_set_name", ""),
        (
            lambda dns: TlsRptReceiverArgs("example.com", dns, dataclasses.replace(VALID, subdomain="example.com")),
            "subdomain",
            "would take the domain's real mail",
        ),
        (
            lambda dns: TlsRptReceiverArgs(
                "example.com", dns, dataclasses.replace(VALID, subdomain="tlsrpt.other.org")
            ),
            "subdomain",
            "must be a subdomain of example.com",
        ),
        (
            lambda dns: TlsRptReceiverArgs("example.com", dns, VALID, extra_domains=["example.org", "bad..name"]),
            "extra_domains[1]",
            "empty label",
        ),
        (
            lambda dns: TlsRptReceiverArgs("example.com", dns, VALID, extra_domains=["Example.COM."]),
            "extra_domains[0]",
            "example.com is already served by this receiver",
        ),
        (
            lambda dns: TlsRptReceiverArgs("example.com", dns, VALID, extra_domains=["example.org", "example.org"]),
            "extra_domains[1]",
            "example.org is already served",
        ),
        (
            lambda dns: TlsRptReceiverArgs("example.com", dns, VALID, extra_domains="example.org"),
            "extra_domains",
            "not one string",
        ),
        (lambda dns: TlsRptReceiverArgs("example.com", dns, VALID, alarm_email="ops"), "alarm_email", "mail address"),
        (
            lambda dns: TlsRptReceiverArgs("example.com", dns, VALID, alarm_email="ops@@example.com"),
            "alarm_email",
            "mail address",
        ),
        (lambda dns: TlsRptReceiverArgs("example.com", dns, VALID, metric_namespace=""), "metric_namespace", "1 to"),
        (
            lambda dns: TlsRptReceiverArgs("example.com", dns, VALID, metric_namespace="AWS/Lambda"),
            "metric_namespace",
            "reserved for AWS",
        ),
        (lambda dns: TlsRptReceiverArgs("example.com", None, VALID), "dns", "Route53Dns or CloudflareDns"),  # type: ignore[arg-type]
        (lambda dns: TlsRptReceiverArgs("example.com", dns, {"region": REGION}), "settings", "ReceiverSettings"),  # type: ignore[arg-type]
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_bad_argument_registers_nothing_and_names_the_field(
    pulumi_mocks: Recorder, make_args: Callable[[DnsBackend], TlsRptReceiverArgs], field: str, words: str
) -> None:
    [problem] = refused(pulumi_mocks, make_args)
    assert problem.field == field
    assert words in problem.reason


@pytest.mark.parametrize("field", ["region", "subdomain", "mailbox", "rule_set_name"])
@pytest.mark.parametrize("value", BLANK_NAMES)
def test_a_blank_name_registers_nothing_and_names_the_setting(pulumi_mocks: Recorder, field: str, value: str) -> None:
    settings = with_setting(field, value)
    problems = refused(pulumi_mocks, lambda dns: TlsRptReceiverArgs("example.com", dns, settings))
    assert {p.field for p in problems} == {field}


def test_every_mistake_is_reported_at_once(pulumi_mocks: Recorder) -> None:
    settings = dataclasses.replace(VALID, region="eu-north-1", silence_days=9, mailbox="a b")
    problems = refused(
        pulumi_mocks,
        lambda dns: TlsRptReceiverArgs(
            "example.com", dns, settings, alarm_email="nope", extra_domains=["x..y"], metric_namespace=""
        ),
    )
    assert [p.field for p in problems] == [
        "region",
        "mailbox",
        "silence_days",
        "extra_domains[0]",
        "alarm_email",
        "metric_namespace",
    ]


def test_valid_arguments_are_normalised_once_for_every_part() -> None:
    dns = object.__new__(Route53Dns)  # a backend instance without registering a resource
    args = TlsRptReceiverArgs(
        "Example.COM.",
        dns,
        dataclasses.replace(VALID, subdomain="Reports.Example.com", mailbox="tls"),
        alarm_email="ops@example.com",
        extra_domains=["Example.ORG."],
    )
    assert check_receiver_args("example-com-tlsrpt-receiver", args) == CheckedReceiverArgs(
        name="example-com-tlsrpt-receiver",
        domain="example.com",
        served=("example.com", "example.org"),
        subdomain="reports.example.com",
        mailbox="tls@reports.example.com",
        settings=args.settings,
        dns=dns,
        alarm_email="ops@example.com",
        metric_namespace="MtaSts/TlsRpt",
    )


def test_the_receipt_rule_name_is_cut_to_the_ses_limit() -> None:
    dns = object.__new__(Route53Dns)
    checked = check_receiver_args("r" * 70, TlsRptReceiverArgs("example.com", dns, VALID))
    assert len(checked.rule_name) < 64 and checked.rule_name.startswith("r" * 40)  # cut + a hash (core.names)
    assert check_receiver_args("tlsrpt", TlsRptReceiverArgs("example.com", dns, VALID)).rule_name == "tlsrpt-tlsrpt"


@pytest.mark.parametrize(
    ("blocked", "statement", "extra"),
    [
        ("pulumi_aws", "import pulumi_mta_sts.receiver.component", "[aws]"),
        ("pulumi_aws", "from pulumi_mta_sts import TlsRptReceiver", "[aws]"),
        ("pulumi", "import pulumi_mta_sts.receiver.component", "[aws]"),
    ],
)
def test_a_missing_provider_sdk_names_the_extra_to_install(blocked: str, statement: str, extra: str) -> None:
    """A real interpreter without the package (``sys.modules[name] = None`` makes its import
    fail as if it were not installed): the error says what to install, not a traceback into
    the SDK."""
    code = f"import sys; sys.modules[{blocked!r}] = None\n{statement}\n"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "components"), "PATH": ""},
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("pulumi_mta_sts.core.errors.MissingExtraError: TlsRptReceiver needs"), result.stderr
    assert f"{blocked!r}" in last_line
    assert f"pip install 'pulumi-mta-sts{extra}'" in last_line


def test_the_archive_still_imports_without_pulumi_aws() -> None:
    """The Lambda package is built from :mod:`.archive`; it must not need the provider SDK."""
    code = "import sys; sys.modules['pulumi_aws'] = None\nimport pulumi_mta_sts.receiver.archive\n"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "components"), "PATH": ""},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr

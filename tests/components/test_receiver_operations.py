"""The receiver, operated for real (issue 13), at plan level: the public endpoint is bounded,
junk is kept briefly, alarms fire on sustained conditions only, the silence alarm does not fire
right after deploy, the receipt rule stops the rule set at a deliberate place, and every
name-limited resource fits its provider's limit for every valid domain."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.defaults import RECEIVER_HTTPS_BURST_LIMIT as HTTPS_BURST_LIMIT
from pulumi_mta_sts.core.defaults import RECEIVER_HTTPS_RATE_LIMIT as HTTPS_RATE_LIMIT
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.names import (
    AUTONAME_SUFFIX_LENGTH,
    CLOUDWATCH_ALARM,
    IAM_POLICY,
    IAM_ROLE,
    LAMBDA_FUNCTION,
    LOG_GROUP,
    S3_BUCKET,
    SES_RECEIPT_RULE,
    SNS_TOPIC,
    SQS_QUEUE,
    NameRule,
    name_problem,
)
from pulumi_mta_sts.dns import Route53Dns, Route53DnsArgs
from pulumi_mta_sts.receiver.alarms import SUSTAINED_DAYS
from pulumi_mta_sts.receiver.args import TlsRptReceiverArgs, check_receiver_args
from pulumi_mta_sts.receiver.component import TlsRptReceiver
from pulumi_mta_sts.receiver.naming import API_NAME, LAMBDA_STATEMENT_ID
from pulumi_mta_sts.receiver.storage import TEST_REPORT_DAYS
from pulumi_mta_sts.receiver_lambda.contract import JUNK_TAG
from pulumi_mta_sts.spec.receiver_settings import ReceiverSettings, check_receiver_settings
from tests.pulumi_mock import Recorder

from .test_receiver_component import API_ENDPOINT, REGION

DAY = 86400


def operating_problems(settings: ReceiverSettings) -> list[Problem]:
    """What the config layer (and so the component) says of ``settings`` for example.com."""
    return check_receiver_settings("example.com", settings)


BASE = ReceiverSettings(region=REGION, rule_set_name="shared-rules")


@pytest.fixture
def mocks(pulumi_mocks: Recorder) -> Recorder:
    return pulumi_mocks


def deploy(
    mocks: Recorder, settings: ReceiverSettings = BASE, *, domain: str = "example.com", name: str = "tlsrpt"
) -> None:
    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_id="Z0123456789EXAMPLE"))
        TlsRptReceiver(name, TlsRptReceiverArgs(domain, dns, settings, alarm_email="ops@example.com"))

    mocks.run(program)


# ---- 1. the public endpoint is bounded ----------------------------------------------------------


def test_the_endpoint_is_a_throttled_http_api_whose_post_alone_reaches_the_function(mocks: Recorder) -> None:
    deploy(mocks)
    assert mocks.of_type("aws:lambda/functionUrl:FunctionUrl") == []
    api = mocks.one("aws:apigatewayv2/api:Api")
    stage = mocks.one("aws:apigatewayv2/stage:Stage")
    assert (stage.inputs["name"], stage.inputs["autoDeploy"]) == ("$default", True)
    assert stage.inputs["defaultRouteSettings"] == {
        "throttlingRateLimit": HTTPS_RATE_LIMIT,
        "throttlingBurstLimit": HTTPS_BURST_LIMIT,
    }
    function = mocks.one("aws:lambda/function:Function", "tlsrpt-parser")
    integration = mocks.one("aws:apigatewayv2/integration:Integration")
    assert (integration.inputs["integrationType"], integration.inputs["payloadFormatVersion"]) == ("AWS_PROXY", "2.0")
    assert integration.inputs["integrationUri"] == function.state["arn"]
    [route] = mocks.of_type("aws:apigatewayv2/route:Route")
    assert route.inputs["routeKey"] == "POST /"
    assert route.inputs["target"] == f"integrations/{integration.id}"
    assert all(r.inputs["apiId"] == api.id for r in (stage, integration, route))
    public = [
        p for p in mocks.of_type("aws:lambda/permission:Permission") if p.inputs["principal"] != "ses.amazonaws.com"
    ]
    [permission] = public  # no "*" principal, no function URL permission
    assert permission.inputs["principal"] == "apigateway.amazonaws.com"
    assert permission.inputs["sourceArn"] == f"{api.state['executionArn']}/*/POST/"
    assert "reservedConcurrentExecutions" not in function.inputs  # works in a new account (quota 10)
    assert API_ENDPOINT.startswith("https://")


@given(rate=st.integers(1, 10_000), burst=st.integers(1, 5_000), reserved=st.none() | st.integers(1, 1000))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_configured_bound_is_what_the_stage_and_function_get(
    mocks: Recorder, rate: int, burst: int, reserved: int | None
) -> None:
    mocks.resources.clear()
    chosen = ReceiverSettings(
        region=REGION,
        rule_set_name="r",
        https_rate_limit=rate,
        https_burst_limit=burst,
        reserved_concurrency=reserved,
    )
    deploy(mocks, chosen)
    stage = mocks.one("aws:apigatewayv2/stage:Stage")
    assert stage.inputs["defaultRouteSettings"] == {"throttlingRateLimit": rate, "throttlingBurstLimit": burst}
    assert (
        mocks.one("aws:lambda/function:Function", "tlsrpt-parser").inputs.get("reservedConcurrentExecutions")
        == reserved
    )


@given(
    field=st.sampled_from(["https_rate_limit", "https_burst_limit", "reserved_concurrency"]),
    value=st.one_of(st.integers(max_value=0), st.integers(min_value=10_001), st.booleans(), st.text(max_size=3)),
)
def test_a_bound_out_of_range_is_a_problem_naming_the_setting(field: str, value: object) -> None:
    problems = operating_problems(ReceiverSettings(region=REGION, rule_set_name="r", **{field: value}))  # type: ignore[arg-type]
    assert [p.field for p in problems] == [field]
    assert "whole number" in problems[0].reason


def test_the_default_bound_caps_what_anyone_can_make_the_function_do_in_a_day() -> None:
    settings = ReceiverSettings()
    assert settings.reserved_concurrency is None
    requests_per_day = settings.https_rate_limit * DAY + settings.https_burst_limit
    assert requests_per_day == HTTPS_RATE_LIMIT * DAY + HTTPS_BURST_LIMIT <= 100_000


def test_a_reserved_concurrency_problem_says_why_it_is_optional() -> None:
    [problem] = operating_problems(ReceiverSettings(region=REGION, rule_set_name="r", reserved_concurrency=0))
    assert "quota of 10" in problem.reason and "throttle" in problem.reason


# ---- 2. alarms: sustained conditions only; silence waits for the first report -------------------


def _alarms(mocks: Recorder) -> dict[str, dict[str, Any]]:
    return {a.name: a.inputs for a in mocks.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}


@given(silence=st.integers(1, 7), threshold=st.integers(1, 1000))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_alarm_fires_on_one_request_and_each_notifies_once_per_episode(
    mocks: Recorder, silence: int, threshold: int
) -> None:
    mocks.resources.clear()
    deploy(
        mocks,
        ReceiverSettings(region=REGION, rule_set_name="r", silence_days=silence, failed_sessions_threshold=threshold),
    )
    alarms = _alarms(mocks)
    assert len(alarms) == 6
    for name, alarm in alarms.items():
        assert alarm["period"] == DAY, name  # counted over whole days
        assert "okActions" not in alarm, name  # one notification per episode: none on recovery
        if name.startswith("tlsrpt-silent-"):
            continue
        if name == "tlsrpt-reader-errors":  # private: only the schedule and the owner can invoke it
            assert alarm["evaluationPeriods"] == alarm["datapointsToAlarm"] == 1, name
            continue
        # fires only when the condition held on SUSTAINED_DAYS days in a row: one request is one day
        assert alarm["evaluationPeriods"] == alarm["datapointsToAlarm"] == SUSTAINED_DAYS >= 2, name
        assert alarm["treatMissingData"] == "notBreaching", name


def test_the_silence_alarm_waits_for_the_first_report_then_notifies_on_silence(mocks: Recorder) -> None:
    """Missing data ``missing``: right after deploy (no data at all) the alarm stays in its initial
    INSUFFICIENT_DATA without a transition, so nothing is sent; once reports came, N days without
    one make it INSUFFICIENT_DATA again, and that transition notifies."""
    deploy(mocks, ReceiverSettings(region=REGION, rule_set_name="r", silence_days=3))
    silent = _alarms(mocks)["tlsrpt-silent-example-com"]
    topic = mocks.one("aws:sns/topic:Topic").state["arn"]
    assert silent["treatMissingData"] == "missing"  # never "breaching": that fires at deploy
    assert silent["insufficientDataActions"] == [topic]
    assert (silent["evaluationPeriods"], silent["datapointsToAlarm"], silent["period"]) == (3, 3, DAY)
    assert "INSUFFICIENT_DATA" in silent["alarmDescription"]


# ---- 3. the receipt rule: store, invoke, stop; first or after a named rule ---------------------


def test_the_rule_stores_then_invokes_then_stops_the_rule_set(mocks: Recorder) -> None:
    deploy(mocks)
    rule = mocks.one("aws:ses/receiptRule:ReceiptRule").inputs
    positions = [
        (rule["s3Actions"][0]["position"], "s3"),
        (rule["lambdaActions"][0]["position"], "lambda"),
        (rule["stopActions"][0]["position"], "stop"),
    ]
    assert [kind for _, kind in sorted(positions)] == ["s3", "lambda", "stop"]
    assert rule["stopActions"] == [{"scope": "RuleSet", "position": 3}]
    assert "after" not in rule  # SES puts a rule created without After first in the rule set


@given(after=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,61}[A-Za-z0-9]", fullmatch=True))
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_rule_goes_right_after_the_named_rule(mocks: Recorder, after: str) -> None:
    mocks.resources.clear()
    deploy(mocks, ReceiverSettings(region=REGION, rule_set_name="shared", rule_after=after))
    assert mocks.one("aws:ses/receiptRule:ReceiptRule").inputs["after"] == after


@pytest.mark.parametrize("after", ["", "-bounce", "bounce-", "a" * 64, "bounce all", "règle", 7])
def test_a_bad_rule_after_is_a_problem_naming_it(after: object) -> None:
    [problem] = operating_problems(ReceiverSettings(region=REGION, rule_set_name="r", rule_after=after))  # type: ignore[arg-type]
    assert problem.field == "rule_after" and "first" in problem.reason


# ---- 4. lifecycle: junk and test reports are kept briefly ---------------------------------------


def test_junk_and_test_reports_expire_early_and_their_old_versions_after_a_day(mocks: Recorder) -> None:
    deploy(mocks, ReceiverSettings(region=REGION, rule_set_name="r", quarantine_retention_days=14))
    rules = {
        r["id"]: r
        for r in mocks.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    }
    assert rules["quarantine-retention"]["expiration"]["days"] == 14
    assert rules["quarantine-retention"]["noncurrentVersionExpiration"]["noncurrentDays"] == 1
    junk = rules["raw-junk-retention"]
    assert (
        junk["filter"]["and"]
        == {"prefix": "raw/", "tags": {"tlsrpt-outcome": "quarantined"}}
        == {
            "prefix": "raw/",
            "tags": JUNK_TAG,
        }
    )
    assert junk["expiration"]["days"] == 14
    assert rules["test-retention"]["filter"]["prefix"] == "test/"
    assert rules["test-retention"]["expiration"]["days"] == TEST_REPORT_DAYS
    assert rules["raw-retention"]["expiration"]["days"] == 365  # real reports' raw copies stay
    grants = json.loads(mocks.one("aws:iam/rolePolicy:RolePolicy", "tlsrpt-parser-access").inputs["policy"])[
        "Statement"
    ]
    assert {"s3:PutObjectTagging"} == {g["Action"] for g in grants if g["Sid"] == "TagJunk"}


# ---- 5. names fit every provider's limit --------------------------------------------------------

LONG_ASCII = ".".join(["a" * 62, "b" * 62, "c" * 62, "d" * 52, "com"])  # 246: tlsrpt.<domain> is 253
LONG_IDN = ".".join(["ü" * 50, "ö" * 50, "é" * 50, "example", "de"])
EDGY = "mail-1.x--y9.example0-.com".replace("0-.", "0.")

#: Resource type → the rule its autonamed (logical + suffix) physical name must fit.
AUTONAMED: dict[str, NameRule] = {
    "aws:iam/role:Role": IAM_ROLE,
    "aws:iam/rolePolicy:RolePolicy": IAM_POLICY,
    "aws:lambda/function:Function": LAMBDA_FUNCTION,
    "aws:s3/bucket:Bucket": S3_BUCKET,
    "aws:sqs/queue:Queue": SQS_QUEUE,
    "aws:cloudwatch/metricAlarm:MetricAlarm": CLOUDWATCH_ALARM,
    "aws:cloudwatch/logGroup:LogGroup": LOG_GROUP,
    "aws:sns/topic:Topic": SNS_TOPIC,
    "aws:apigatewayv2/api:Api": API_NAME,
    "aws:lambda/permission:Permission": LAMBDA_STATEMENT_ID,
}


def _autonamed(mocks: Recorder) -> dict[str, list[str]]:
    return {token: sorted(r.name for r in mocks.of_type(token)) for token in AUTONAMED}


@pytest.mark.parametrize("domain", [LONG_ASCII, LONG_IDN, EDGY], ids=["246-chars", "idn", "edgy-labels"])
def test_every_name_limited_resource_fits_for_every_valid_domain(mocks: Recorder, domain: str) -> None:
    checked = check_receiver_args("x", TlsRptReceiverArgs(domain, object.__new__(Route53Dns), BASE))
    name = checked.domain.replace(".", "-") + "-tlsrpt-receiver"
    deploy(mocks, domain=domain, name=name)
    for token, names in _autonamed(mocks).items():
        rule = AUTONAMED[token]
        for logical in names:
            physical = logical + "-abcdef1"  # Pulumi's autonaming: "-" + 7 random characters
            assert len(physical) == len(logical) + AUTONAME_SUFFIX_LENGTH
            assert name_problem(rule, physical.lower() if rule.lowercase else physical) is None, (token, logical)
    rule_name = mocks.one("aws:ses/receiptRule:ReceiptRule").inputs["name"]
    assert name_problem(SES_RECEIPT_RULE, rule_name) is None and len(rule_name) < 64


def test_two_long_domains_that_differ_after_the_cut_get_different_names(pulumi_mocks: Recorder) -> None:
    names = []
    for last in ("a", "b"):
        domain = LONG_ASCII[:-5] + last + ".com"
        checked = check_receiver_args(
            domain.replace(".", "-") + "-tlsrpt-receiver",
            TlsRptReceiverArgs(domain, object.__new__(Route53Dns), BASE),
        )
        names.append(checked.rule_name)
    assert names[0] != names[1]


def test_a_domain_with_no_room_for_the_reports_subdomain_is_refused_before_anything_is_made() -> None:
    domain = ".".join(["a" * 62, "b" * 62, "c" * 62, "d" * 60, "com"])  # 252: tlsrpt.<domain> is 259
    with pytest.raises(InputError) as err:
        check_receiver_args("x", TlsRptReceiverArgs(domain, object.__new__(Route53Dns), BASE))
    assert "subdomain" in [p.field for p in err.value.problems]


def test_example_size_names_are_todays_so_nothing_is_replaced(mocks: Recorder) -> None:
    deploy(mocks, domain="example.net", name="example-net-tlsrpt-receiver")
    prefix = "example-net-tlsrpt-receiver-"
    roles = [prefix + "digest-schedule-role", prefix + "parser-role", prefix + "reader-role"]  # + digest (issue 15)
    assert _autonamed(mocks)["aws:iam/role:Role"] == roles
    assert _autonamed(mocks)["aws:lambda/function:Function"] == [prefix + "parser", prefix + "reader"]
    assert _autonamed(mocks)["aws:s3/bucket:Bucket"] == [prefix + "reports"]
    assert _autonamed(mocks)["aws:sqs/queue:Queue"] == [prefix + "dead-letters"]
    assert _autonamed(mocks)["aws:sns/topic:Topic"] == [prefix + "alarms"]
    assert prefix + "failed-example-net" in _autonamed(mocks)["aws:cloudwatch/metricAlarm:MetricAlarm"]
    assert mocks.one("aws:ses/receiptRule:ReceiptRule").inputs["name"] == prefix + "tlsrpt"


def test_a_name_that_had_to_change_keeps_the_deployed_resource_through_an_alias() -> None:
    """A name too long for the provider is cut (plus a hash) and aliased to what the receiver
    called it before, so a resource deployed under the old name is adopted, not replaced."""
    from pulumi_mta_sts.receiver.naming import named_child

    component = object.__new__(TlsRptReceiver)
    former = "r" * 70 + "-parser-role"
    logical, opts = named_child(IAM_ROLE, former, parent=component)
    assert logical != former and len(logical) + AUTONAME_SUFFIX_LENGTH <= IAM_ROLE.limit
    assert [alias.name for alias in opts.aliases or []] == [former]  # type: ignore[union-attr]
    same, plain = named_child(IAM_ROLE, "example-net-tlsrpt-receiver-parser-role", parent=component)
    assert (same, plain.aliases) == ("example-net-tlsrpt-receiver-parser-role", None)

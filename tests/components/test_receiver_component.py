"""``TlsRptReceiver`` under Pulumi mocks: MX on the subdomain only, S3 before Lambda in the
receipt rule, IAM scoped to exact ARNs, a private encrypted bucket, alarms wired to the topic."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.dns import Route53Dns, Route53DnsArgs
from pulumi_mta_sts.plan.engine import RecordedResource
from pulumi_mta_sts.receiver.component import TlsRptReceiver, TlsRptReceiverArgs
from pulumi_mta_sts.spec.receiver_settings import ReceiverSettings
from tests.pulumi_mock import ACCOUNT, HTTP_API_ENDPOINT, Recorder, depends_on, parent_name

REGION = "eu-west-1"
#: The ``https:`` URI the receiver adds to ``rua``: the API's endpoint (a POST to it is ``POST /``).
API_ENDPOINT = HTTP_API_ENDPOINT
HTTPS_URL = API_ENDPOINT


def _arn(service: str, rest: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{rest}"


@pytest.fixture
def mocks(pulumi_mocks: Recorder) -> Recorder:
    """The shared recorder; what AWS computes for the receiver's types is in ``tests/pulumi_mock.py``."""
    return pulumi_mocks


def deploy(mocks: Recorder, settings: ReceiverSettings | None = None, **kwargs: Any) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_id="Z0123456789EXAMPLE"))
        receiver = TlsRptReceiver(
            "tlsrpt",
            TlsRptReceiverArgs(
                "example.com",
                dns,
                settings or ReceiverSettings(region=REGION, rule_set_name="default-rule-set"),
                **kwargs,
            ),
        )
        receiver.rua.apply(lambda v: seen.setdefault("rua", v))

    mocks.run(program)
    return seen


def bucket_arn(mocks: Recorder) -> str:
    return str(mocks.one("aws:s3/bucket:Bucket").state["arn"])


def statements(resource: RecordedResource, key: str = "policy") -> list[dict[str, Any]]:
    doc: dict[str, Any] = json.loads(resource.inputs[key])
    return list(doc["Statement"])


def test_mx_is_published_on_the_reports_subdomain_only_never_on_the_apex(mocks: Recorder) -> None:
    deploy(mocks)
    mx = [r for r in mocks.of_type("aws:route53/record:Record") if r.inputs["type"] == "MX"]
    assert [(r.inputs["name"], r.inputs["records"]) for r in mx] == [
        ("tlsrpt.example.com", ["10 inbound-smtp.eu-west-1.amazonaws.com"])
    ]
    txt = mocks.one("aws:route53/record:Record", "tlsrpt-ses-verification")
    assert (txt.inputs["name"], txt.inputs["records"]) == ("_amazonses.tlsrpt.example.com", ["VeRiFy+token="])
    assert mocks.one("aws:ses/domainIdentity:DomainIdentity").inputs["domain"] == "tlsrpt.example.com"
    assert depends_on(mocks.one("aws:ses/domainIdentityVerification:DomainIdentityVerification"), txt)


def test_an_apex_subdomain_is_refused_with_the_reason(mocks: Recorder) -> None:
    with pytest.raises(InputError) as err:
        deploy(mocks, ReceiverSettings(region=REGION, rule_set_name="x", subdomain="Example.com."))
    [problem] = err.value.problems
    assert problem.field == "subdomain"
    assert "would take the domain's real mail" in problem.reason


def test_a_region_without_ses_inbound_is_refused_with_the_regions_that_work(mocks: Recorder) -> None:
    with pytest.raises(InputError) as err:
        deploy(mocks, ReceiverSettings(region="eu-north-1", rule_set_name="x"))
    assert err.value.problems[0].field == "region"
    assert "SES does not receive mail in 'eu-north-1'" in err.value.problems[0].reason
    assert "eu-west-1" in err.value.problems[0].reason


def test_without_a_rule_set_name_or_create_rule_set_the_error_explains_the_one_active_rule_set(
    mocks: Recorder,
) -> None:
    with pytest.raises(InputError) as err:
        deploy(mocks, ReceiverSettings(region=REGION))
    assert err.value.problems[0].field == "rule_set_name"
    assert "only one is active per region" in err.value.problems[0].reason


def test_receipt_rule_stores_in_s3_first_then_invokes_the_lambda_in_the_existing_rule_set(mocks: Recorder) -> None:
    deploy(mocks)
    rule = mocks.one("aws:ses/receiptRule:ReceiptRule")
    [s3_action] = rule.inputs["s3Actions"]
    [lambda_action] = rule.inputs["lambdaActions"]
    assert s3_action["position"] < lambda_action["position"]
    assert s3_action["bucketName"] == mocks.one("aws:s3/bucket:Bucket").state["bucket"]
    assert s3_action["objectKeyPrefix"] == "raw/email/"
    assert lambda_action["functionArn"] == mocks.one("aws:lambda/function:Function", "tlsrpt-parser").state["arn"]
    assert lambda_action["invocationType"] == "Event"
    assert rule.inputs["ruleSetName"] == "default-rule-set"
    assert rule.inputs["recipients"] == ["reports@tlsrpt.example.com"]
    assert depends_on(rule, "tlsrpt-reports-policy") and depends_on(rule, "tlsrpt-parser-from-ses")
    # the account's active rule set is left alone by default
    assert mocks.of_type("aws:ses/receiptRuleSet:ReceiptRuleSet") == []
    assert mocks.of_type("aws:ses/activeReceiptRuleSet:ActiveReceiptRuleSet") == []


def test_create_rule_set_creates_and_activates_one_before_the_rule(mocks: Recorder) -> None:
    deploy(mocks, ReceiverSettings(region=REGION, create_rule_set=True))
    rule_set = mocks.one("aws:ses/receiptRuleSet:ReceiptRuleSet")
    assert rule_set.inputs["ruleSetName"] == "mta-sts-tlsrpt"
    assert mocks.one("aws:ses/activeReceiptRuleSet:ActiveReceiptRuleSet").inputs["ruleSetName"] == "mta-sts-tlsrpt"
    assert depends_on(mocks.one("aws:ses/receiptRule:ReceiptRule"), rule_set)


def test_ses_may_invoke_the_function_and_write_raw_mail_only_for_this_rule_in_this_account(mocks: Recorder) -> None:
    deploy(mocks)
    rule_arn = f"arn:aws:ses:{REGION}:{ACCOUNT}:receipt-rule-set/default-rule-set:receipt-rule/tlsrpt-tlsrpt"
    permission = mocks.one("aws:lambda/permission:Permission", "tlsrpt-parser-from-ses")
    assert permission.inputs["principal"] == "ses.amazonaws.com"
    assert permission.inputs["sourceArn"] == rule_arn
    assert permission.inputs["sourceAccount"] == ACCOUNT
    [ses_write, tls_only] = statements(mocks.one("aws:s3/bucketPolicy:BucketPolicy"))
    assert ses_write["Principal"] == {"Service": "ses.amazonaws.com"}
    assert ses_write["Action"] == "s3:PutObject"
    assert ses_write["Resource"] == f"{bucket_arn(mocks)}/raw/email/*"
    assert ses_write["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": rule_arn},
    }
    assert tls_only["Effect"] == "Deny" and tls_only["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_function_role_is_scoped_to_exact_arns_and_prefixes(mocks: Recorder) -> None:
    deploy(mocks)
    bucket = bucket_arn(mocks)
    log_group = mocks.one("aws:cloudwatch/logGroup:LogGroup", "tlsrpt-parser-logs").state["arn"]
    queue = mocks.one("aws:sqs/queue:Queue").state["arn"]
    granted = {
        (action, resource)
        for st in statements(mocks.one("aws:iam/rolePolicy:RolePolicy", "tlsrpt-parser-access"))
        for action in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
        for resource in ([st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"])
        if st["Effect"] == "Allow"
    }
    assert granted == {
        ("s3:GetObject", f"{bucket}/raw/*"),
        ("s3:PutObjectTagging", f"{bucket}/raw/*"),
        ("s3:GetObject", f"{bucket}/reports/*"),
        ("s3:GetObject", f"{bucket}/test/*"),
        ("s3:PutObject", f"{bucket}/test/*"),
        ("s3:PutObject", f"{bucket}/raw/https/*"),
        ("s3:PutObject", f"{bucket}/reports/*"),
        ("s3:PutObject", f"{bucket}/quarantine/*"),
        ("s3:PutObject", f"{bucket}/tables/reports/*"),  # analytics (on by default): the JSON-lines table
        ("logs:CreateLogStream", f"{log_group}:*"),
        ("logs:PutLogEvents", f"{log_group}:*"),
        ("sqs:SendMessage", queue),
    }
    assert json.loads(mocks.one("aws:iam/role:Role", "tlsrpt-parser-role").inputs["assumeRolePolicy"])["Statement"][0][
        "Principal"
    ] == {"Service": "lambda.amazonaws.com"}


def test_bucket_is_private_encrypted_versioned_with_retention(mocks: Recorder) -> None:
    deploy(
        mocks, ReceiverSettings(region=REGION, rule_set_name="x", raw_retention_days=30, quarantine_retention_days=7)
    )
    bucket = mocks.one("aws:s3/bucket:Bucket")
    block = mocks.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.inputs["bucket"] == bucket.id
    assert all(
        block.inputs[k] is True
        for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    sse = mocks.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    assert (
        mocks.one("aws:s3/bucketVersioning:BucketVersioning").inputs["versioningConfiguration"]["status"] == "Enabled"
    )
    ownership = mocks.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    rules = {
        r["id"]: r
        for r in mocks.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    }
    assert (rules["raw-retention"]["filter"]["prefix"], rules["raw-retention"]["expiration"]["days"]) == ("raw/", 30)
    assert rules["quarantine-retention"]["expiration"]["days"] == 7
    assert bucket.inputs.get("forceDestroy") is False


def test_every_alarm_notifies_the_topic_and_silence_notifies_on_insufficient_data(mocks: Recorder) -> None:
    deploy(
        mocks,
        ReceiverSettings(region=REGION, rule_set_name="x", silence_days=4, failed_sessions_threshold=5),
        alarm_email="ops@example.com",
        extra_domains=["example.org"],
    )
    topic_arn = mocks.one("aws:sns/topic:Topic").state["arn"]
    alarms = {a.name: a for a in mocks.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert set(alarms) == {
        "tlsrpt-failed-example-com",
        "tlsrpt-silent-example-com",
        "tlsrpt-failed-example-org",
        "tlsrpt-silent-example-org",
        "tlsrpt-quarantined",
        "tlsrpt-parser-errors",
        "tlsrpt-dead-letters",
        "tlsrpt-reader-errors",  # the weekly digest's reader (on by default)
    }
    assert all(a.inputs["alarmActions"] == [topic_arn] for a in alarms.values())
    silent = alarms["tlsrpt-silent-example-com"].inputs
    assert (silent["metricName"], silent["dimensions"], silent["treatMissingData"]) == (
        "Reports",
        {"PolicyDomain": "example.com"},
        "missing",
    )
    assert silent["insufficientDataActions"] == [topic_arn]
    assert (silent["evaluationPeriods"], silent["period"], silent["comparisonOperator"]) == (
        4,
        86400,
        "LessThanThreshold",
    )
    failed = alarms["tlsrpt-failed-example-org"].inputs
    assert (failed["metricName"], failed["threshold"], failed["namespace"]) == ("FailedSessions", 5, "MtaSts/TlsRpt")
    subscription = mocks.one("aws:sns/topicSubscription:TopicSubscription")
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == ("email", "ops@example.com")
    env = mocks.one("aws:lambda/function:Function", "tlsrpt-parser").inputs["environment"]["variables"]
    assert env["DOMAINS"] == "example.com,example.org"


def test_rua_lists_the_mailbox_and_the_https_endpoint_and_failures_dead_letter(mocks: Recorder) -> None:
    seen = deploy(mocks)
    assert seen["rua"] == ["mailto:reports@tlsrpt.example.com", HTTPS_URL]
    assert mocks.of_type("aws:lambda/functionUrl:FunctionUrl") == []  # unbounded: replaced by the API
    assert mocks.one("aws:apigatewayv2/api:Api").inputs["protocolType"] == "HTTP"
    async_config = mocks.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
    assert (
        async_config.inputs["destinationConfig"]["onFailure"]["destination"]
        == mocks.one("aws:sqs/queue:Queue").state["arn"]
    )
    assert mocks.one("aws:sqs/queue:Queue").inputs["sqsManagedSseEnabled"] is True


def test_https_can_be_turned_off(mocks: Recorder) -> None:
    seen = deploy(mocks, ReceiverSettings(region=REGION, rule_set_name="x", https=False))
    assert seen["rua"] == ["mailto:reports@tlsrpt.example.com"]
    assert mocks.of_type("aws:lambda/functionUrl:FunctionUrl") == []
    assert mocks.of_type("aws:apigatewayv2/api:Api") == []
    assert mocks.of_type("aws:apigatewayv2/stage:Stage") == []


def test_function_ships_the_archive_handler_and_runs_in_the_chosen_region(mocks: Recorder) -> None:
    deploy(mocks)
    function = mocks.one("aws:lambda/function:Function", "tlsrpt-parser")
    assert function.inputs["handler"] == "pulumi_mta_sts.receiver_lambda.handler.handler"
    assert function.inputs["runtime"] == "python3.12"
    assert function.inputs["region"] == REGION
    assert function.inputs["loggingConfig"] == {"logFormat": "Text", "logGroup": "tlsrpt-parser-logs-f00"}


def test_children_have_the_component_as_parent_and_inherit_the_users_provider(mocks: Recorder) -> None:
    import pulumi_aws as aws

    def program() -> None:
        provider = aws.Provider("user-aws", region=REGION)
        dns = Route53Dns("dns", Route53DnsArgs(zone_id="Z1"), pulumi.ResourceOptions(providers=[provider]))
        TlsRptReceiver(
            "tlsrpt",
            TlsRptReceiverArgs("example.com", dns, ReceiverSettings(region=REGION, rule_set_name="x")),
            pulumi.ResourceOptions(providers=[provider]),
        )

    mocks.run(program)
    component = mocks.one("mta-sts:index:TlsRptReceiver")
    for resource in mocks.descendants_of(component):
        assert parent_name(resource) in {"tlsrpt"}, resource.name
        if resource.custom:
            assert "user-aws" in resource.provider, resource.name
    for record in mocks.of_type("aws:route53/record:Record"):
        assert "user-aws" in record.provider


def publish(mocks: Recorder, also: list[str], resource_name: str | None = None) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_id="Z1"))
        receiver = TlsRptReceiver(
            "tlsrpt", TlsRptReceiverArgs("example.com", dns, ReceiverSettings(region=REGION, rule_set_name="x"))
        )
        receiver.publish_tlsrpt_record(also, resource_name=resource_name).apply(
            lambda record: seen.setdefault("record", record)
        )

    mocks.run(program)
    return seen


def test_publish_tlsrpt_record_puts_your_destinations_first_then_the_receivers_in_one_record(
    mocks: Recorder,
) -> None:
    seen = publish(mocks, ["mailto:tlsrpt@reports.example.net"], resource_name="example-com-tlsrpt-txt")
    value = f"v=TLSRPTv1; rua=mailto:tlsrpt@reports.example.net,mailto:reports@tlsrpt.example.com,{HTTPS_URL}"
    assert seen["record"] == {"name": "_smtp._tls.example.com", "type": "TXT", "value": value}
    [txt] = [r for r in mocks.of_type("aws:route53/record:Record") if r.inputs["name"] == "_smtp._tls.example.com"]
    assert txt.name == "example-com-tlsrpt-txt"
    assert txt.inputs["records"] == [value]
    assert parent_name(txt) == "dns"  # a record of the backend, like MtaSts's own: the URN does not move


def test_publish_tlsrpt_record_with_only_the_receivers_destinations(mocks: Recorder) -> None:
    seen = publish(mocks, [])
    assert seen["record"]["value"] == f"v=TLSRPTv1; rua=mailto:reports@tlsrpt.example.com,{HTTPS_URL}"


def test_publish_tlsrpt_record_refuses_a_bad_destination_naming_it(mocks: Recorder) -> None:
    with pytest.raises(InputError) as err:
        publish(mocks, ["mailto:tlsrpt@reports.example.net", "http://reports.example.net/tlsrpt"])
    [problem] = err.value.problems
    assert problem.field == "rua[1]"
    assert "https" in problem.reason


def test_the_parts_add_no_component_of_their_own_so_no_urn_moves(mocks: Recorder) -> None:
    """Storage, function, inbound, HTTPS and alarms are functions, not components: another
    parent in between would change every child's URN and replace deployed resources."""
    deploy(mocks, ReceiverSettings(region=REGION, create_rule_set=True), alarm_email="ops@example.com")
    component = mocks.one("mta-sts:index:TlsRptReceiver")
    children = mocks.children_of(component)
    made_by_the_receiver = [r for r in mocks.resources if r.custom and parent_name(r) != "dns"]
    assert len(made_by_the_receiver) > 20 and children == made_by_the_receiver
    assert mocks.descendants_of(component) == children
    assert all(r.custom for r in children)
    assert all(r.urn.startswith("urn:pulumi:test::mta-sts::mta-sts:index:TlsRptReceiver$aws:") for r in children)


def test_the_receiver_keeps_its_dns_backend_and_public_attributes(mocks: Recorder) -> None:
    seen: dict[str, Any] = {}

    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_id="Z1"))
        receiver = TlsRptReceiver(
            "tlsrpt", TlsRptReceiverArgs("Example.COM.", dns, ReceiverSettings(region=REGION, rule_set_name="x"))
        )
        seen.update(dns_is_the_backend=receiver.dns is dns, domain=receiver.domain, mailbox=receiver.mailbox)
        receiver.bucket_name.apply(lambda v: seen.setdefault("bucket_name", v))
        receiver.topic_arn.apply(lambda v: seen.setdefault("topic_arn", v))
        assert receiver.function_url is not None and receiver.https_endpoint is receiver.function_url
        receiver.https_endpoint.apply(lambda v: seen.setdefault("https_endpoint", v))

    mocks.run(program)
    assert seen["dns_is_the_backend"] is True
    assert (seen["domain"], seen["mailbox"]) == ("example.com", "reports@tlsrpt.example.com")
    assert seen["bucket_name"] == mocks.one("aws:s3/bucket:Bucket").state["bucket"]
    assert seen["topic_arn"] == mocks.one("aws:sns/topic:Topic").state["arn"]
    assert seen["https_endpoint"] == HTTPS_URL

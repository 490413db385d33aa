"""The receiver's IAM and bucket policies: exact documents, and exact ARNs wired into them.

The documents are pure functions of named ARNs (``receiver/documents.py``); these tests pin
their JSON byte for byte (a changed document is a changed deployment) and check, under Pulumi
mocks, that each name receives the ARN of the right resource.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_mta_sts.dns import Route53Dns, Route53DnsArgs
from pulumi_mta_sts.receiver.component import TlsRptReceiver, TlsRptReceiverArgs
from pulumi_mta_sts.receiver.documents import (
    LAMBDA_ASSUME_ROLE_POLICY,
    bucket_policy_document,
    parser_access_document,
)
from pulumi_mta_sts.spec.receiver_settings import ReceiverSettings
from tests.pulumi_mock import ACCOUNT, Recorder, depends_on

REGION = "eu-west-1"
BUCKET = "arn:aws:s3:::reports-bucket"
LOG_GROUP = "arn:aws:logs:eu-west-1:111122223333:log-group:parser-logs"
QUEUE = "arn:aws:sqs:eu-west-1:111122223333:dead-letters"
RULE = "arn:aws:ses:eu-west-1:111122223333:receipt-rule-set/rules:receipt-rule/tlsrpt"


def test_the_bucket_policy_document_is_exactly_this() -> None:
    assert bucket_policy_document(bucket_arn=BUCKET, account="111122223333", rule_arn=RULE) == (
        '{"Statement": [{"Action": "s3:PutObject", "Condition": {"ArnLike": {"aws:SourceArn": '
        '"arn:aws:ses:eu-west-1:111122223333:receipt-rule-set/rules:receipt-rule/tlsrpt"}, '
        '"StringEquals": {"aws:SourceAccount": "111122223333"}}, "Effect": "Allow", '
        '"Principal": {"Service": "ses.amazonaws.com"}, "Resource": "arn:aws:s3:::reports-bucket/raw/email/*", '
        '"Sid": "SesWritesRawMail"}, {"Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}, '
        '"Effect": "Deny", "Principal": "*", "Resource": ["arn:aws:s3:::reports-bucket", '
        '"arn:aws:s3:::reports-bucket/*"], "Sid": "TlsOnly"}], "Version": "2012-10-17"}'
    )


def test_the_parser_access_document_is_exactly_this() -> None:
    assert parser_access_document(bucket_arn=BUCKET, log_group_arn=LOG_GROUP, queue_arn=QUEUE) == (
        '{"Statement": [{"Action": "s3:GetObject", "Effect": "Allow", '
        '"Resource": "arn:aws:s3:::reports-bucket/raw/*", "Sid": "ReadRaw"}, '
        '{"Action": "s3:PutObjectTagging", "Effect": "Allow", '
        '"Resource": "arn:aws:s3:::reports-bucket/raw/*", "Sid": "TagJunk"}, '
        '{"Action": "s3:GetObject", "Effect": "Allow", '
        '"Resource": ["arn:aws:s3:::reports-bucket/reports/*", "arn:aws:s3:::reports-bucket/test/*"], '
        '"Sid": "ReadResults"}, '
        '{"Action": "s3:PutObject", "Effect": "Allow", "Resource": ["arn:aws:s3:::reports-bucket/raw/https/*", '
        '"arn:aws:s3:::reports-bucket/reports/*", "arn:aws:s3:::reports-bucket/quarantine/*", '
        '"arn:aws:s3:::reports-bucket/test/*"], '
        '"Sid": "WriteResults"}, {"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow", '
        '"Resource": "arn:aws:logs:eu-west-1:111122223333:log-group:parser-logs:*", "Sid": "OwnLogsAndMetrics"}, '
        '{"Action": "sqs:SendMessage", "Effect": "Allow", '
        '"Resource": "arn:aws:sqs:eu-west-1:111122223333:dead-letters", "Sid": "DeadLetters"}], '
        '"Version": "2012-10-17"}'
    )


def test_only_lambda_may_assume_the_function_role() -> None:
    assert LAMBDA_ASSUME_ROLE_POLICY == (
        '{"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", '
        '"Principal": {"Service": "lambda.amazonaws.com"}}], "Version": "2012-10-17"}'
    )


def _resources(document: str) -> list[str]:
    out: list[str] = []
    for statement in json.loads(document)["Statement"]:
        resource = statement["Resource"]
        out.extend([resource] if isinstance(resource, str) else resource)
    return out


@pytest.mark.parametrize(
    ("bucket", "log_group", "queue"),
    [
        (BUCKET, LOG_GROUP, QUEUE),
        ("arn:aws:s3:::b", "arn:aws:logs:us-east-1:1:log-group:g", "arn:aws:sqs:us-east-1:1:q"),
        ("arn:aws-cn:s3:::x-y.z", "arn:aws-cn:logs:cn-north-1:2:log-group:/aws/l", "arn:aws-cn:sqs:cn-north-1:2:d"),
    ],
)
def test_every_grant_is_inside_one_named_arn(bucket: str, log_group: str, queue: str) -> None:
    """No wildcard resource, no ARN but the ones given; each name lands where it belongs."""
    allowed = _resources(parser_access_document(bucket_arn=bucket, log_group_arn=log_group, queue_arn=queue))
    assert all(r.startswith(f"{bucket}/") for r in allowed[:-2])
    assert allowed[-2:] == [f"{log_group}:*", queue]
    policy = _resources(bucket_policy_document(bucket_arn=bucket, account="1", rule_arn=RULE))
    assert policy == [f"{bucket}/raw/email/*", bucket, f"{bucket}/*"]


def _deploy(mocks: Recorder) -> None:
    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_id="Z0123456789EXAMPLE"))
        TlsRptReceiver(
            "tlsrpt",
            TlsRptReceiverArgs("example.com", dns, ReceiverSettings(region=REGION, rule_set_name="default-rule-set")),
        )

    mocks.run(program)


def _arn(mocks: Recorder, type_token: str, name: str | None = None) -> Any:
    return mocks.one(type_token, name).state["arn"]


def test_the_deployed_documents_name_the_receivers_own_arns(pulumi_mocks: Recorder) -> None:
    _deploy(pulumi_mocks)
    bucket = _arn(pulumi_mocks, "aws:s3/bucket:Bucket")
    rule = f"arn:aws:ses:{REGION}:{ACCOUNT}:receipt-rule-set/default-rule-set:receipt-rule/tlsrpt-tlsrpt"
    assert pulumi_mocks.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"] == bucket_policy_document(
        bucket_arn=bucket, account=ACCOUNT, rule_arn=rule
    )
    assert pulumi_mocks.one("aws:iam/rolePolicy:RolePolicy", "tlsrpt-parser-access").inputs[
        "policy"
    ] == parser_access_document(
        bucket_arn=bucket,
        log_group_arn=_arn(pulumi_mocks, "aws:cloudwatch/logGroup:LogGroup", "tlsrpt-parser-logs"),
        queue_arn=_arn(pulumi_mocks, "aws:sqs/queue:Queue"),
        write_table=True,  # analytics is on by default
    )
    assert (
        pulumi_mocks.one("aws:iam/role:Role", "tlsrpt-parser-role").inputs["assumeRolePolicy"]
        == LAMBDA_ASSUME_ROLE_POLICY
    )
    # the premise of the comparisons above: the ARNs differ, so a swapped name could not pass
    arns = {
        bucket,
        _arn(pulumi_mocks, "aws:cloudwatch/logGroup:LogGroup", "tlsrpt-parser-logs"),
        _arn(pulumi_mocks, "aws:sqs/queue:Queue"),
    }
    assert len(arns) == 3


def test_the_policies_wait_for_what_they_name(pulumi_mocks: Recorder) -> None:
    _deploy(pulumi_mocks)
    role_policy = pulumi_mocks.one("aws:iam/rolePolicy:RolePolicy", "tlsrpt-parser-access")
    for named in ("tlsrpt-reports", "tlsrpt-parser-logs", "tlsrpt-dead-letters", "tlsrpt-parser-role"):
        assert depends_on(role_policy, named), named
    bucket_policy = pulumi_mocks.one("aws:s3/bucketPolicy:BucketPolicy")
    assert depends_on(bucket_policy, "tlsrpt-reports")
    assert depends_on(bucket_policy, "tlsrpt-reports-private")  # S3 refuses a policy the block would forbid

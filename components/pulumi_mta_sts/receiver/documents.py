"""The receiver's IAM and bucket policy documents, as pure functions of named ARNs.

Kept apart from the resources so each document can be read (and tested) as exactly what AWS
receives: every grant names one ARN or one key prefix of this receiver, nothing wider. The
Pulumi parts fill the ARNs in with ``pulumi.Output.all(bucket_arn=..., ...)`` and call these.
The JSON is sorted so an unchanged document never shows up as a diff.
"""

from __future__ import annotations

import json
from typing import Any

from pulumi_mta_sts.receiver_lambda.handler import DEFAULT_RAW_EMAIL_PREFIX
from pulumi_mta_sts.receiver_lambda.table import TABLE_PREFIX

__all__ = [
    "LAMBDA_ASSUME_ROLE_POLICY",
    "RESULT_PREFIXES",
    "bucket_policy_document",
    "parser_access_document",
    "policy_document",
]

#: Where the function writes: report bodies it received by HTTPS, parsed reports, quarantine,
#: test reports (``mta-sts receiver test``).
RESULT_PREFIXES = ("raw/https/", "reports/", "quarantine/", "test/")


def policy_document(statements: list[dict[str, Any]]) -> str:
    """An IAM policy document (version 2012-10-17) of ``statements``, as sorted JSON."""
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


#: Only the Lambda service may assume the function's role.
LAMBDA_ASSUME_ROLE_POLICY = policy_document(
    [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
)


def bucket_policy_document(*, bucket_arn: str, account: str, rule_arn: str) -> str:
    """SES may write raw mail under ``raw/email/`` for this account's receipt rule ``rule_arn``
    only (so another account's SES cannot fill the bucket); every request without TLS is denied."""
    return policy_document(
        [
            {
                "Sid": "SesWritesRawMail",
                "Effect": "Allow",
                "Principal": {"Service": "ses.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/{DEFAULT_RAW_EMAIL_PREFIX}*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": rule_arn},
                },
            },
            {
                "Sid": "TlsOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ]
    )


def parser_access_document(*, bucket_arn: str, log_group_arn: str, queue_arn: str, write_table: bool = False) -> str:
    """The function's grants: read ``raw/``, tag a raw object as junk (so it expires early, see
    ``storage.JUNK_TAG``), write its result prefixes, read back what it stored in ``reports/`` and
    ``test/`` (the content digest in an object's metadata tells an exact re-delivery from a
    different report under the same key), write its own log group (metrics leave as embedded
    metric format log lines) and send to its dead-letter queue; with ``write_table`` (``analytics``)
    also write ``tables/`` (each stored report as JSON lines for Athena)."""
    prefixes = (*RESULT_PREFIXES, *((TABLE_PREFIX,) if write_table else ()))
    return policy_document(
        [
            {"Sid": "ReadRaw", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket_arn}/raw/*"},
            {"Sid": "TagJunk", "Effect": "Allow", "Action": "s3:PutObjectTagging", "Resource": f"{bucket_arn}/raw/*"},
            {
                "Sid": "ReadResults",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": [f"{bucket_arn}/reports/*", f"{bucket_arn}/test/*"],
            },
            {
                "Sid": "WriteResults",
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": [f"{bucket_arn}/{prefix}*" for prefix in prefixes],
            },
            {
                "Sid": "OwnLogsAndMetrics",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group_arn}:*",
            },
            {"Sid": "DeadLetters", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn},
        ]
    )

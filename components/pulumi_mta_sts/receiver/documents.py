"""The receiver's IAM and bucket policy documents, pure functions of named ARNs, tested as exactly
what AWS receives: every grant names one ARN or key prefix. Sorted JSON: unchanged is no diff.
"""

from __future__ import annotations

import json
from typing import Any

from pulumi_mta_sts.hosting.private_bucket import tls_only_statement
from pulumi_mta_sts.receiver_lambda import contract

#: Where the parser writes: bodies received by HTTPS, parsed reports, quarantine, test reports.
RESULT_PREFIXES = (contract.RAW_HTTPS_PREFIX, contract.REPORTS_PREFIX, contract.QUARANTINE_PREFIX, contract.TEST_PREFIX)
_LOGS = ["logs:CreateLogStream", "logs:PutLogEvents"]


def policy_document(statements: list[dict[str, Any]]) -> str:
    """An IAM policy document (version 2012-10-17) of ``statements``, as sorted JSON."""
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def _allow(sid: str, action: str | list[str], resource: str | list[str], **condition: Any) -> dict[str, Any]:
    statement = {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource}
    return {**statement, "Condition": condition} if condition else statement


def _trust(service: str, **condition: Any) -> str:
    """Only ``service`` may assume the role."""
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return policy_document([{**statement, "Condition": condition} if condition else statement])


def _objects(bucket_arn: str, *prefixes: str) -> str | list[str]:
    """The bucket's objects under ``prefixes`` (one ARN pattern, or a list of them)."""
    arns = [f"{bucket_arn}/{prefix}*" for prefix in prefixes]
    return arns[0] if len(arns) == 1 else arns


LAMBDA_ASSUME_ROLE_POLICY = _trust("lambda.amazonaws.com")


def bucket_policy_document(*, bucket_arn: str, account: str, rule_arn: str) -> str:
    """SES may write raw mail under ``raw/email/`` for this account's receipt rule only; no request without TLS."""
    ses_writes = {
        "Sid": "SesWritesRawMail",
        "Effect": "Allow",
        "Principal": {"Service": "ses.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": _objects(bucket_arn, contract.RAW_EMAIL_PREFIX),
        "Condition": {"StringEquals": {"aws:SourceAccount": account}, "ArnLike": {"aws:SourceArn": rule_arn}},
    }
    return policy_document([ses_writes, tls_only_statement(bucket_arn, "TlsOnly")])


def parser_access_document(*, bucket_arn: str, log_group_arn: str, queue_arn: str, write_table: bool = False) -> str:
    """The parser's grants: read ``raw/`` and tag junk there, write its result prefixes (``tables/``
    too with ``write_table``), read back ``reports/`` and ``test/`` (a digest tells a re-delivery
    from another report under one key), its log group (metrics are log lines) and dead letters."""
    written = [*RESULT_PREFIXES, *([contract.TABLE_PREFIX] if write_table else [])]
    return policy_document(
        [
            _allow("ReadRaw", "s3:GetObject", _objects(bucket_arn, contract.RAW_PREFIX)),
            _allow("TagJunk", "s3:PutObjectTagging", _objects(bucket_arn, contract.RAW_PREFIX)),
            _allow("ReadResults", "s3:GetObject", _objects(bucket_arn, contract.REPORTS_PREFIX, contract.TEST_PREFIX)),
            _allow("WriteResults", "s3:PutObject", [f"{bucket_arn}/{prefix}*" for prefix in written]),
            _allow("OwnLogsAndMetrics", _LOGS, f"{log_group_arn}:*"),
            _allow("DeadLetters", "sqs:SendMessage", queue_arn),
        ]
    )


def reader_access_document(*, bucket_arn: str, log_group_arn: str, topic_arn: str, write_table: bool) -> str:
    """The reader's grants: list and read ``reports/``, publish, log; ``write_table``: the backfill."""
    reports = contract.REPORTS_PREFIX
    statements = [
        _allow("ListReports", "s3:ListBucket", bucket_arn, StringLike={"s3:prefix": [f"{reports}*"]}),
        _allow("ReadReports", "s3:GetObject", _objects(bucket_arn, reports)),
        _allow("PublishDigest", "sns:Publish", topic_arn),
        _allow("OwnLogs", _LOGS, f"{log_group_arn}:*"),
    ]
    if write_table:
        statements.append(_allow("WriteTable", "s3:PutObject", _objects(bucket_arn, contract.TABLE_PREFIX)))
    return policy_document(statements)


def scheduler_assume_role_document(account: str) -> str:
    """Only EventBridge Scheduler acting for ``account`` may assume the schedule's role."""
    return _trust("scheduler.amazonaws.com", StringEquals={"aws:SourceAccount": account})


def scheduler_access_document(*, function_arn: str, sid: str = "InvokeDigest") -> str:
    """A schedule's role may invoke its one function (the digest's reader, the watcher), nothing else."""
    return policy_document([_allow(sid, "lambda:InvokeFunction", function_arn)])

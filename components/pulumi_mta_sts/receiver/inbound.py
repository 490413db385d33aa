"""Mail in: the SES identity of the reports subdomain (never the apex), its records, the receipt rule.

The rule stores the raw message, invokes the parser asynchronously, then STOPS the rule set (no
later catch-all acts on report mail); it goes first, or right after ``rule_after``. SES has ONE
active rule set per account and region and activating another silently deactivates the current
one, so a rule set is only created with ``create_rule_set``.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.receiver_lambda.contract import RAW_EMAIL_PREFIX
from pulumi_mta_sts.spec.receiver_settings import inbound_mx_value

from .args import CheckedReceiverArgs
from .function import ParserFunction
from .naming import LAMBDA_STATEMENT_ID, named_child
from .storage import ReportStorage

SES_SERVICE = "ses.amazonaws.com"


def receipt_rule_arn(receiver: CheckedReceiverArgs, account: pulumi.Input[str]) -> pulumi.Output[str]:
    """The ARN the receipt rule will have: known before it exists, so the bucket policy and the
    function's permission can name it (SES checks both when the rule is created)."""
    rule = f":receipt-rule-set/{receiver.rule_set_name}:receipt-rule/{receiver.rule_name}"
    return pulumi.Output.concat("arn:aws:ses:", receiver.region, ":", account, rule)


def create_inbound(
    receiver: CheckedReceiverArgs,
    *,
    parent: pulumi.Resource,
    storage: ReportStorage,
    parser: ParserFunction,
    account: pulumi.Input[str],
    rule_arn: pulumi.Input[str],
) -> aws.ses.ReceiptRule:
    """The identity, its records, the rule set (when asked) and the receipt rule that stores each
    message in ``storage``, then hands it to ``parser``."""
    name, region = receiver.name, receiver.region
    waits_for: list[pulumi.Resource] = [storage.policy, _verified_identity(receiver, parent)]
    waits_for += _created_rule_set(receiver, parent)
    permission_name, permission_opts = named_child(LAMBDA_STATEMENT_ID, f"{name}-parser-from-ses", parent=parent)
    waits_for.append(
        aws.lambda_.Permission(
            permission_name,
            action="lambda:InvokeFunction",
            function=parser.function.name,
            principal=SES_SERVICE,
            source_account=account,
            source_arn=rule_arn,
            region=region,
            opts=permission_opts,
        )
    )
    return aws.ses.ReceiptRule(
        f"{name}-rule",
        name=receiver.rule_name,
        rule_set_name=receiver.rule_set_name,
        after=receiver.settings.rule_after,
        recipients=[receiver.mailbox],
        enabled=True,
        scan_enabled=True,
        tls_policy="Optional",
        s3_actions=[{"bucket_name": storage.bucket.bucket, "object_key_prefix": RAW_EMAIL_PREFIX, "position": 1}],
        lambda_actions=[{"function_arn": parser.function.arn, "invocation_type": "Event", "position": 2}],
        stop_actions=[{"scope": "RuleSet", "position": 3}],
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=waits_for),
    )


def _verified_identity(receiver: CheckedReceiverArgs, parent: pulumi.Resource) -> aws.ses.DomainIdentityVerification:
    """The subdomain's SES identity, verified through its TXT record, plus its MX."""
    name, region, subdomain = receiver.name, receiver.region, receiver.subdomain
    identity = aws.ses.DomainIdentity(
        f"{name}-identity", domain=subdomain, region=region, opts=pulumi.ResourceOptions(parent=parent)
    )
    # The records stay children of the DNS backend, so the providers given to it apply.
    verification_records = receiver.dns.record(
        f"_amazonses.{subdomain}", "TXT", [identity.verification_token], resource_name=f"{name}-ses-verification"
    )
    receiver.dns.record(subdomain, "MX", [inbound_mx_value(region)], resource_name=f"{name}-mx")
    return aws.ses.DomainIdentityVerification(
        f"{name}-identity-verified",
        domain=identity.domain,
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=verification_records),
    )


def _created_rule_set(receiver: CheckedReceiverArgs, parent: pulumi.Resource) -> list[pulumi.Resource]:
    """With ``create_rule_set``: the new rule set and its activation (else the account's is left alone)."""
    if not receiver.settings.create_rule_set:
        return []
    name, region = receiver.name, receiver.region
    child = pulumi.ResourceOptions(parent=parent)
    created = aws.ses.ReceiptRuleSet(
        f"{name}-rule-set", rule_set_name=receiver.rule_set_name, region=region, opts=child
    )
    active = aws.ses.ActiveReceiptRuleSet(
        f"{name}-rule-set-active", rule_set_name=created.rule_set_name, region=region, opts=child
    )
    return [created, active]

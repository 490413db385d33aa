"""How reports come in: by mail and by HTTPS.

Mail: the SES identity of the reports subdomain (never the apex), its records, and the receipt rule
that stores the raw message, invokes the parser asynchronously, then STOPS the rule set (no later
catch-all acts on report mail); it goes first, or right after ``rule_after``. SES has ONE active rule
set per account and region and activating another silently deactivates the current one, so a rule
set is only created with ``create_rule_set``.

HTTPS: RFC 8460 senders post without credentials, so the public API Gateway HTTP API is throttled
(``https_rate_limit``, ``https_burst_limit``): over it API Gateway answers ``429`` itself. A function
URL has no such limit, and a new account cannot reserve concurrency: hence this front.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.core.names import autoname_base
from pulumi_mta_sts.receiver_lambda.contract import RAW_EMAIL_PREFIX
from pulumi_mta_sts.spec.receiver_settings import inbound_mx_value

from .args import CheckedReceiverArgs
from .function import ParserFunction
from .naming import API_NAME, LAMBDA_STATEMENT_ID, named_child
from .storage import ReportStorage


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
    """The identity, its records, the rule set (when asked) and the receipt rule."""
    name, region = receiver.name, receiver.region
    waits_for: list[pulumi.Resource] = [storage.policy, _verified_identity(receiver, parent)]
    if receiver.settings.create_rule_set:  # else the account's active rule set is left alone
        child = pulumi.ResourceOptions(parent=parent)
        created = aws.ses.ReceiptRuleSet(
            f"{name}-rule-set", rule_set_name=receiver.rule_set_name, region=region, opts=child
        )
        active = aws.ses.ActiveReceiptRuleSet(
            f"{name}-rule-set-active", rule_set_name=created.rule_set_name, region=region, opts=child
        )
        waits_for += [created, active]
    permission_name, permission_opts = named_child(LAMBDA_STATEMENT_ID, f"{name}-parser-from-ses", parent=parent)
    waits_for.append(
        aws.lambda_.Permission(
            permission_name,
            action="lambda:InvokeFunction",
            function=parser.function.name,
            principal="ses.amazonaws.com",
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


def create_https_endpoint(
    receiver: CheckedReceiverArgs, *, parent: pulumi.Resource, function: aws.lambda_.Function
) -> pulumi.Output[str] | None:
    """With ``https``, the throttled API to ``function``: the URL to add to ``rua``; else ``None``."""
    if not receiver.settings.https:
        return None
    name, region = receiver.name, receiver.region
    child = pulumi.ResourceOptions(parent=parent)
    api = aws.apigatewayv2.Api(
        autoname_base(API_NAME, name, "https"),
        protocol_type="HTTP",
        description="TLS-RPT reports (RFC 8460)",
        region=region,
        opts=child,
    )
    integration = aws.apigatewayv2.Integration(
        f"{name}-https-parser",
        api_id=api.id,
        integration_type="AWS_PROXY",
        integration_method="POST",
        integration_uri=function.arn,
        payload_format_version="2.0",
        timeout_milliseconds=30_000,  # API Gateway's maximum
        region=region,
        opts=child,
    )
    aws.apigatewayv2.Route(
        f"{name}-https-post",
        api_id=api.id,
        route_key="POST /",  # the endpoint's root, as published in rua
        target=integration.id.apply(lambda integration_id: f"integrations/{integration_id}"),
        region=region,
        opts=child,
    )
    _throttled_stage(receiver, api, child)
    aws.lambda_.Permission(
        autoname_base(LAMBDA_STATEMENT_ID, name, "https-invoke"),
        action="lambda:InvokeFunction",
        function=function.name,
        principal="apigateway.amazonaws.com",
        source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/POST/"),
        region=region,
        opts=child,
    )
    return api.api_endpoint  # https://<id>.execute-api.<region>.amazonaws.com: a POST to it is "POST /"


def _throttled_stage(
    receiver: CheckedReceiverArgs, api: aws.apigatewayv2.Api, child: pulumi.ResourceOptions
) -> aws.apigatewayv2.Stage:
    """The ``$default`` stage, deployed on every change, throttled as the settings say."""
    settings = receiver.settings
    return aws.apigatewayv2.Stage(
        f"{receiver.name}-https-stage",
        api_id=api.id,
        name="$default",  # no stage name in the URL
        auto_deploy=True,
        default_route_settings={
            "throttling_rate_limit": settings.https_rate_limit,
            "throttling_burst_limit": settings.https_burst_limit,
        },
        region=receiver.region,
        opts=child,
    )

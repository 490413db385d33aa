"""Reports by HTTPS: a public API Gateway HTTP API, throttled, whose ``POST /`` reaches the parser.

RFC 8460 senders post without credentials; being public, the endpoint is bounded
(:class:`~.args.EndpointBound`): over the throttle API Gateway answers ``429`` itself. A function
URL has no such limit, and a new account cannot reserve concurrency: hence this front.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.core.names import autoname_base

from .args import CheckedReceiverArgs
from .naming import API_NAME, LAMBDA_STATEMENT_ID

#: The one route: the report goes to the endpoint's root, as published in ``rua``.
ROUTE_KEY = "POST /"
#: The stage every request goes through (``$default``: no stage name in the URL).
STAGE_NAME = "$default"
#: API Gateway waits this long for the function (its maximum is 30 s).
INTEGRATION_TIMEOUT_MS = 30_000


def create_https_endpoint(
    receiver: CheckedReceiverArgs, *, parent: pulumi.Resource, function: aws.lambda_.Function
) -> pulumi.Output[str] | None:
    """The throttled API, its route to ``function`` and the one permission (with ``https``): the URL
    to add to ``rua``, or ``None``."""
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
        timeout_milliseconds=INTEGRATION_TIMEOUT_MS,
        region=region,
        opts=child,
    )
    aws.apigatewayv2.Route(
        f"{name}-https-post",
        api_id=api.id,
        route_key=ROUTE_KEY,
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
    """The ``$default`` stage, deployed on every change, throttled to the receiver's bound."""
    bound = receiver.bound
    return aws.apigatewayv2.Stage(
        f"{receiver.name}-https-stage",
        api_id=api.id,
        name=STAGE_NAME,
        auto_deploy=True,
        default_route_settings={
            "throttling_rate_limit": bound.rate_limit,
            "throttling_burst_limit": bound.burst_limit,
        },
        region=receiver.region,
        opts=child,
    )

"""Reports by HTTPS: a public Lambda function URL that senders ``POST`` reports to.

RFC 8460 senders post ``application/tlsrpt+gzip`` / ``+json`` without credentials, so the URL
takes no authorisation; the function itself refuses what is not a report (and bodies over
``max_body_bytes``). Lambda needs two permissions for a public URL: ``InvokeFunctionUrl`` for
the URL and ``InvokeFunction`` limited to calls that come through a function URL.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .args import CheckedReceiverArgs

__all__ = ["create_https_endpoint"]


def create_https_endpoint(
    receiver: CheckedReceiverArgs, *, parent: pulumi.Resource, function: aws.lambda_.Function
) -> pulumi.Output[str] | None:
    """Create the function URL and its permissions (when ``https`` is on); returns the URL to
    add to ``rua``, or ``None`` when reports come by email only."""
    if not receiver.settings.https:
        return None
    name, region = receiver.name, receiver.region
    child = pulumi.ResourceOptions(parent=parent)
    url = aws.lambda_.FunctionUrl(
        f"{name}-https",
        function_name=function.name,
        authorization_type="NONE",
        invoke_mode="BUFFERED",
        region=region,
        opts=child,
    )
    aws.lambda_.Permission(
        f"{name}-https-url-public",
        action="lambda:InvokeFunctionUrl",
        function=function.name,
        principal="*",
        function_url_auth_type="NONE",
        region=region,
        opts=child,
    )
    aws.lambda_.Permission(
        f"{name}-https-invoke-public",
        action="lambda:InvokeFunction",
        function=function.name,
        principal="*",
        invoked_via_function_url=True,
        region=region,
        opts=child,
    )
    return url.function_url

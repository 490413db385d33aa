"""The receiver's own name limits, and logical names that leave room for Pulumi's random suffix
(the former name an alias where fitting changed it: the deployed resource is adopted, not replaced).
"""

from __future__ import annotations

import pulumi

from pulumi_mta_sts.core.names import NameRule, autoname_base

_AWS = "https://docs.aws.amazon.com"
API_NAME = NameRule("apigateway-api", 128, r"A-Za-z0-9_.-", f"{_AWS}/apigatewayv2/latest/api-reference/apis.html")
#: A Lambda permission's statement id (autonamed from the logical name).
LAMBDA_STATEMENT_ID = NameRule(
    "lambda-statement-id", 100, r"A-Za-z0-9_-", f"{_AWS}/lambda/latest/api/API_AddPermission.html"
)
SCHEDULER_SCHEDULE = NameRule(
    "scheduler-schedule", 64, r"0-9a-zA-Z_.-", f"{_AWS}/scheduler/latest/APIReference/API_CreateSchedule.html"
)
#: Glue database names: lowercase letters, digits and ``_``; made as a slug whose ``-`` become ``_``.
GLUE_DATABASE = NameRule(
    "glue-database", 255, r"a-z0-9-", f"{_AWS}/glue/latest/dg/aws-glue-api-catalog-databases.html", lowercase=True
)
ATHENA_WORKGROUP = NameRule(
    "athena-workgroup", 128, r"A-Za-z0-9._-", f"{_AWS}/athena/latest/APIReference/API_CreateWorkGroup.html"
)


def named_child(
    rule: NameRule, former: str, *, parent: pulumi.Resource, depends_on: list[pulumi.Resource] | None = None
) -> tuple[str, pulumi.ResourceOptions]:
    """The logical name for what the receiver called ``former``, and its options (child of ``parent``)."""
    logical = autoname_base(rule, former)
    aliases: list[pulumi.Input[str | pulumi.Alias]] | None = [pulumi.Alias(name=former)] if logical != former else None
    return logical, pulumi.ResourceOptions(parent=parent, depends_on=depends_on, aliases=aliases)

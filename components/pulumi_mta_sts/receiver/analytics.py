"""SQL over the stored reports: a Glue database, the table ``report_rows`` over the parser's JSON
lines with partition projection on ``dt`` (no crawler), an enforced Athena workgroup (results
encrypted under ``results/``, every scan capped) and the saved queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.core.names import physical_name
from pulumi_mta_sts.receiver_lambda import contract

from .args import CheckedReceiverArgs
from .naming import ATHENA_WORKGROUP, GLUE_DATABASE
from .queries import VIEWS

#: Days a query's result files are kept (they can be fetched again by re-running the query).
RESULTS_RETENTION_DAYS = 30
#: The most one query may scan: 1 GiB (years of one domain's reports are a few MB).
BYTES_SCANNED_CUTOFF = 1024**3


@dataclass(frozen=True)
class Analytics:
    """What SQL users need."""

    database: aws.glue.CatalogDatabase
    table: aws.glue.CatalogTable
    workgroup: aws.athena.Workgroup


def database_name(receiver_name: str) -> str:
    """The receiver's name as Glue and Athena take it (``example-com-x`` → ``example_com_x``)."""
    return physical_name(GLUE_DATABASE, receiver_name.lower().replace("_", "-")).replace("-", "_")


def workgroup_name(receiver_name: str) -> str:
    """The receiver's name, cut with a hash when too long."""
    return physical_name(ATHENA_WORKGROUP, receiver_name)


def table_parameters(bucket: str) -> dict[str, str]:
    """An external JSON table with ``dt`` projected as a date."""
    column = contract.PARTITION_COLUMN
    return {
        "EXTERNAL": "TRUE",
        "classification": "json",
        "projection.enabled": "true",
        f"projection.{column}.type": "date",
        f"projection.{column}.format": "yyyy-MM-dd",
        f"projection.{column}.range": f"{contract.FIRST_DAY.isoformat()},NOW",
        f"projection.{column}.interval": "1",
        f"projection.{column}.interval.unit": "DAYS",
        "storage.location.template": f"s3://{bucket}/{contract.TABLE_PREFIX}{column}=${{{column}}}/",
    }


def _storage(bucket: str) -> aws.glue.CatalogTableStorageDescriptorArgsDict:
    return {
        "location": f"s3://{bucket}/{contract.TABLE_PREFIX}",
        "input_format": "org.apache.hadoop.mapred.TextInputFormat",
        "output_format": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        "ser_de_info": {
            "serialization_library": "org.openx.data.jsonserde.JsonSerDe",
            "parameters": {"ignore.malformed.json": "FALSE"},
        },
        "columns": [{"name": name, "type": kind} for name, kind in contract.COLUMNS],
    }


def create_analytics(
    receiver: CheckedReceiverArgs, *, parent: pulumi.Resource, bucket: aws.s3.Bucket, account: pulumi.Input[str]
) -> Analytics | None:
    """The database, table, workgroup and saved queries; ``None`` when ``analytics`` is off."""
    if not receiver.settings.analytics:
        return None
    name, region = receiver.name, receiver.region
    child = pulumi.ResourceOptions(parent=parent)
    database = aws.glue.CatalogDatabase(
        f"{name}-analytics-database",
        name=database_name(name),
        description=f"TLS-RPT reports received for {', '.join(receiver.served)} (pulumi-mta-sts)",
        region=region,
        opts=child,
    )
    table = aws.glue.CatalogTable(
        f"{name}-report-rows",
        name=contract.TABLE_NAME,
        database_name=database.name,
        table_type="EXTERNAL_TABLE",
        description="One row per policy and per failure-detail row of each stored TLS-RPT report",
        parameters=bucket.bucket.apply(table_parameters),
        partition_keys=[{"name": contract.PARTITION_COLUMN, "type": "string"}],
        storage_descriptor=bucket.bucket.apply(_storage),
        region=region,
        opts=child,
    )
    workgroup = _workgroup(receiver, parent, bucket=bucket, account=account)
    for view, sql in VIEWS.items():
        aws.athena.NamedQuery(
            f"{name}-query-{view.replace('.', '-').replace('_', '-')}",
            name=f"TLS-RPT summary: {view}",
            description=f"The `{view}` view of mta-sts reports summary; parameters: first day, last day",
            database=database.name,
            workgroup=workgroup.name,
            query=sql,
            region=region,
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[table]),
        )
    return Analytics(database=database, table=table, workgroup=workgroup)


def _workgroup(
    receiver: CheckedReceiverArgs, parent: pulumi.Resource, *, bucket: aws.s3.Bucket, account: pulumi.Input[str]
) -> aws.athena.Workgroup:
    return aws.athena.Workgroup(
        f"{receiver.name}-analytics",
        name=workgroup_name(receiver.name),
        description="SQL over the TLS-RPT receiver's reports (pulumi-mta-sts)",
        force_destroy=True,  # Athena refuses to delete a workgroup that ran queries unless forced
        configuration={
            "enforce_workgroup_configuration": True,
            "publish_cloudwatch_metrics_enabled": True,
            "bytes_scanned_cutoff_per_query": BYTES_SCANNED_CUTOFF,
            "result_configuration": {
                "output_location": bucket.bucket.apply(lambda b: f"s3://{b}/{contract.RESULTS_PREFIX}"),
                "encryption_configuration": {"encryption_option": "SSE_S3"},
                "expected_bucket_owner": account,
            },
        },
        region=receiver.region,
        opts=pulumi.ResourceOptions(parent=parent),
    )

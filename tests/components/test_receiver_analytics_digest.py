"""Issue 15 under Pulumi mocks: the receiver's SQL part (Glue database and table with partition
projection, an enforced Athena workgroup, the saved queries) and its weekly digest (the private
reader function, its schedule), present or absent per switch, each grant exactly what it needs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_mta_sts.config import load_stack_config
from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.names import AUTONAME_SUFFIX_LENGTH, name_problem
from pulumi_mta_sts.dns import Route53Dns, Route53DnsArgs
from pulumi_mta_sts.plan.engine import RecordedResource
from pulumi_mta_sts.receiver.analytics import BYTES_SCANNED_CUTOFF, database_name, workgroup_name
from pulumi_mta_sts.receiver.component import TlsRptReceiver, TlsRptReceiverArgs
from pulumi_mta_sts.receiver.function import schedule_expression
from pulumi_mta_sts.receiver.naming import SCHEDULER_SCHEDULE
from pulumi_mta_sts.receiver.queries import VIEWS
from pulumi_mta_sts.receiver_lambda.contract import COLUMNS, READER_HANDLER, RESULTS_PREFIX, TABLE_NAME
from pulumi_mta_sts.spec.receiver_settings import ReceiverSettings
from tests.pulumi_mock import ACCOUNT, Recorder, depends_on

REGION = "eu-west-1"
ANALYTICS_TYPES = ("aws:glue/catalogDatabase:CatalogDatabase", "aws:glue/catalogTable:CatalogTable")
WORKGROUP = "aws:athena/workgroup:Workgroup"
SCHEDULE = "aws:scheduler/schedule:Schedule"
FUNCTION = "aws:lambda/function:Function"


def deploy(mocks: Recorder, name: str = "tlsrpt", domain: str = "example.com", **settings: Any) -> TlsRptReceiver:
    made: list[TlsRptReceiver] = []

    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_id="Z0123456789EXAMPLE"))
        chosen = ReceiverSettings(region=REGION, rule_set_name="default-rule-set", **settings)
        made.append(TlsRptReceiver(name, TlsRptReceiverArgs(domain, dns, chosen)))

    mocks.run(program)
    return made[0]


def statements(resource: RecordedResource, key: str = "policy") -> list[dict[str, Any]]:
    return list(json.loads(resource.inputs[key])["Statement"])


def grants(resource: RecordedResource) -> set[tuple[str, str]]:
    """(action, resource) pairs an IAM policy allows."""
    return {
        (action, target)
        for st in statements(resource)
        for action in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
        for target in ([st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"])
        if st["Effect"] == "Allow"
    }


def bucket_of(mocks: Recorder) -> tuple[str, str]:
    bucket = mocks.one("aws:s3/bucket:Bucket")
    return str(bucket.state["bucket"]), str(bucket.state["arn"])


def test_by_default_the_table_is_projected_on_the_day_with_no_crawler(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks)
    bucket, _ = bucket_of(pulumi_mocks)
    database = pulumi_mocks.one("aws:glue/catalogDatabase:CatalogDatabase")
    assert database.inputs["name"] == database_name("tlsrpt") == "tlsrpt"
    table = pulumi_mocks.one("aws:glue/catalogTable:CatalogTable")
    assert (table.inputs["name"], table.inputs["tableType"]) == (TABLE_NAME, "EXTERNAL_TABLE")
    assert depends_on(table, database)
    assert table.inputs["partitionKeys"] == [{"name": "dt", "type": "string"}]
    assert table.inputs["parameters"] == {
        "EXTERNAL": "TRUE",
        "classification": "json",
        "projection.enabled": "true",
        "projection.dt.type": "date",
        "projection.dt.format": "yyyy-MM-dd",
        "projection.dt.range": "2018-09-01,NOW",
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "DAYS",
        "storage.location.template": f"s3://{bucket}/tables/reports/dt=${{dt}}/",
    }
    storage = table.inputs["storageDescriptor"]
    assert storage["location"] == f"s3://{bucket}/tables/reports/"
    assert storage["serDeInfo"]["serializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert [(c["name"], c["type"]) for c in storage["columns"]] == list(COLUMNS)
    assert pulumi_mocks.of_type("aws:glue/crawler:Crawler") == []


def test_the_workgroup_enforces_encrypted_results_in_the_bucket_and_caps_each_scan(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks)
    bucket, _ = bucket_of(pulumi_mocks)
    workgroup = pulumi_mocks.one(WORKGROUP)
    assert workgroup.inputs["name"] == workgroup_name("tlsrpt")
    config = workgroup.inputs["configuration"]
    assert config["enforceWorkgroupConfiguration"] is True
    assert config["bytesScannedCutoffPerQuery"] == BYTES_SCANNED_CUTOFF >= 10_485_760  # the provider's minimum
    assert config["resultConfiguration"] == {
        "outputLocation": f"s3://{bucket}/{RESULTS_PREFIX}",
        "encryptionConfiguration": {"encryptionOption": "SSE_S3"},
        "expectedBucketOwner": ACCOUNT,
    }
    # Athena deletes a workgroup that ran queries only when forced; its history is scratch (issue 22)
    assert workgroup.inputs["forceDestroy"] is True
    rules = {
        r["id"]: r
        for r in pulumi_mocks.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    }
    assert rules["athena-results-retention"]["filter"] == {"prefix": RESULTS_PREFIX}


def test_each_summary_view_is_saved_as_its_query(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks)
    saved = {q.inputs["name"]: q for q in pulumi_mocks.of_type("aws:athena/namedQuery:NamedQuery")}
    assert {name: q.inputs["query"] for name, q in saved.items()} == {
        f"TLS-RPT summary: {view}": sql for view, sql in VIEWS.items()
    }
    for query in saved.values():
        assert query.inputs["database"] == database_name("tlsrpt")
        assert query.inputs["workgroup"] == workgroup_name("tlsrpt")


def test_the_parser_writes_the_table_and_only_there_beyond_what_it_wrote(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks)
    _, arn = bucket_of(pulumi_mocks)
    parser = pulumi_mocks.one(FUNCTION, "tlsrpt-parser")
    assert parser.inputs["environment"]["variables"]["WRITE_TABLE"] == "true"
    written = {
        t
        for a, t in grants(pulumi_mocks.one("aws:iam/rolePolicy:RolePolicy", "tlsrpt-parser-access"))
        if a == "s3:PutObject"
    }
    assert f"{arn}/tables/reports/*" in written
    assert not any(t.startswith(f"{arn}/results") for t in written)


def test_the_reader_may_list_and_read_reports_publish_and_backfill_nothing_more(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks)
    _, arn = bucket_of(pulumi_mocks)
    topic = pulumi_mocks.one("aws:sns/topic:Topic").state["arn"]
    logs = pulumi_mocks.one("aws:cloudwatch/logGroup:LogGroup", "tlsrpt-reader-logs").state["arn"]
    policy = pulumi_mocks.one("aws:iam/rolePolicy:RolePolicy", "tlsrpt-reader-access")
    assert grants(policy) == {
        ("s3:ListBucket", arn),
        ("s3:GetObject", f"{arn}/reports/*"),
        ("sns:Publish", topic),
        ("logs:CreateLogStream", f"{logs}:*"),
        ("logs:PutLogEvents", f"{logs}:*"),
        ("s3:PutObject", f"{arn}/tables/reports/*"),
    }
    [listing] = [s for s in statements(policy) if s["Action"] == "s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["reports/*"]}}
    reader = pulumi_mocks.one(FUNCTION, "tlsrpt-reader")
    assert reader.inputs["handler"] == READER_HANDLER
    variables = reader.inputs["environment"]["variables"]
    assert variables["TOPIC_ARN"] == topic and variables["DOMAINS"] == "example.com"
    assert variables["ANALYTICS_WORKGROUP"] == workgroup_name("tlsrpt")
    permissions = pulumi_mocks.of_type("aws:lambda/permission:Permission")
    assert permissions and all(p.inputs["function"] != reader.state["name"] for p in permissions)  # none for the reader


def test_the_schedule_invokes_the_reader_on_monday_through_a_role_only_scheduler_of_this_account_assumes(
    pulumi_mocks: Recorder,
) -> None:
    deploy(pulumi_mocks)
    schedule = pulumi_mocks.one(SCHEDULE)
    reader = pulumi_mocks.one(FUNCTION, "tlsrpt-reader")
    role = pulumi_mocks.one("aws:iam/role:Role", "tlsrpt-digest-schedule-role")
    assert schedule.inputs["scheduleExpression"] == "cron(0 6 ? * MON *)"
    assert schedule.inputs["scheduleExpressionTimezone"] == "UTC"
    assert schedule.inputs["flexibleTimeWindow"] == {"mode": "OFF"}
    target = schedule.inputs["target"]
    assert (target["arn"], target["roleArn"]) == (reader.state["arn"], role.state["arn"])
    [trust] = statements(role, "assumeRolePolicy")
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    access = pulumi_mocks.one("aws:iam/rolePolicy:RolePolicy", "tlsrpt-digest-schedule-access")
    assert grants(access) == {("lambda:InvokeFunction", reader.state["arn"])}
    assert depends_on(schedule, access)


@pytest.mark.parametrize(
    ("day", "cron_day"),
    list(zip(defaults.RECEIVER_DIGEST_DAYS[:7], ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"), strict=True)),
)
def test_each_day_has_its_schedule_expression(day: str, cron_day: str) -> None:
    assert schedule_expression(day) == f"cron(0 6 ? * {cron_day} *)"


def test_every_configurable_day_has_an_expression() -> None:
    days = [d for d in defaults.RECEIVER_DIGEST_DAYS if d != "off"]
    assert len({schedule_expression(d) for d in days}) == 7


def test_a_configured_day_reaches_the_schedule(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks, digest="friday")
    assert pulumi_mocks.one(SCHEDULE).inputs["scheduleExpression"] == "cron(0 6 ? * FRI *)"


def test_analytics_off_leaves_out_the_table_workgroup_queries_and_every_grant_for_them(pulumi_mocks: Recorder) -> None:
    receiver = deploy(pulumi_mocks, analytics=False)
    _, arn = bucket_of(pulumi_mocks)
    for token in (*ANALYTICS_TYPES, WORKGROUP, "aws:athena/namedQuery:NamedQuery"):
        assert pulumi_mocks.of_type(token) == [], token
    assert receiver.athena_workgroup is None and receiver.glue_database is None
    parser = pulumi_mocks.one(FUNCTION, "tlsrpt-parser")
    assert "WRITE_TABLE" not in parser.inputs["environment"]["variables"]
    for policy in ("tlsrpt-parser-access", "tlsrpt-reader-access"):
        targets = {t for _, t in grants(pulumi_mocks.one("aws:iam/rolePolicy:RolePolicy", policy))}
        assert not any(t.startswith(f"{arn}/tables") for t in targets), policy
    assert "ANALYTICS_WORKGROUP" not in pulumi_mocks.one(FUNCTION, "tlsrpt-reader").inputs["environment"]["variables"]
    rules = pulumi_mocks.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert "athena-results-retention" not in {r["id"] for r in rules}
    assert pulumi_mocks.one(SCHEDULE)  # the digest does not need the table


def test_digest_off_keeps_the_reader_for_the_backfill_but_no_schedule(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks, digest="off")
    assert pulumi_mocks.of_type(SCHEDULE) == []
    assert {r.name for r in pulumi_mocks.of_type("aws:iam/role:Role")} == {"tlsrpt-parser-role", "tlsrpt-reader-role"}
    assert pulumi_mocks.one(FUNCTION, "tlsrpt-reader")


def test_both_off_the_receiver_is_what_it_was(pulumi_mocks: Recorder) -> None:
    receiver = deploy(pulumi_mocks, digest="off", analytics=False)
    assert [r.name for r in pulumi_mocks.of_type(FUNCTION)] == ["tlsrpt-parser"]
    assert {r.name for r in pulumi_mocks.of_type("aws:iam/role:Role")} == {"tlsrpt-parser-role"}
    for token in (*ANALYTICS_TYPES, WORKGROUP, SCHEDULE):
        assert pulumi_mocks.of_type(token) == [], token
    assert receiver.reader_function is None


def test_every_new_resource_is_a_child_of_the_receiver(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks)
    receiver = pulumi_mocks.named("tlsrpt")
    new = [
        *ANALYTICS_TYPES,
        WORKGROUP,
        "aws:athena/namedQuery:NamedQuery",
        SCHEDULE,
    ]
    for token in new:
        for resource in pulumi_mocks.of_type(token):
            assert resource.parent == receiver.urn, resource.name
    for name in ("tlsrpt-reader", "tlsrpt-reader-role", "tlsrpt-reader-access", "tlsrpt-reader-logs"):
        assert pulumi_mocks.named(name).parent == receiver.urn, name


def test_the_names_fit_for_the_longest_domain(pulumi_mocks: Recorder) -> None:
    domain = ".".join(["a" * 62, "b" * 62, "c" * 62, "d" * 52, "com"])
    name = domain.replace(".", "-") + "-tlsrpt-receiver"
    deploy(pulumi_mocks, name=name, domain=domain)
    schedule = pulumi_mocks.one(SCHEDULE).name
    assert name_problem(SCHEDULER_SCHEDULE, schedule + "-abcdef1") is None
    assert len(schedule) <= SCHEDULER_SCHEDULE.limit - AUTONAME_SUFFIX_LENGTH
    database = pulumi_mocks.one("aws:glue/catalogDatabase:CatalogDatabase").inputs["name"]
    assert len(database) <= 255 and set(database) <= set("abcdefghijklmnopqrstuvwxyz0123456789_")
    workgroup = pulumi_mocks.one(WORKGROUP).inputs["name"]
    assert len(workgroup) <= 128


BASE = {"domain": "example.com", "dns": {"provider": "route53"}, "policy": {"mx": ["mx.example.com"]}}


def _receiver_config(**keys: object) -> dict[str, object]:
    return {**BASE, "reporting": {"receiver": {"rule_set_name": "r", **keys}}}


@pytest.mark.parametrize(("given", "day"), [("Friday", "friday"), (False, "off"), ("off", "off"), (None, "monday")])
def test_the_stack_config_reads_the_digest_day(given: object, day: str) -> None:
    config = load_stack_config(_receiver_config(digest=given))
    assert config.reporting.receiver.settings.digest == day


@pytest.mark.parametrize("given", ["fri", "daily", "", 3, True])
def test_a_bad_digest_day_is_refused_naming_the_key_and_the_days(given: object) -> None:
    with pytest.raises(InputError) as err:
        load_stack_config(_receiver_config(digest=given))
    [problem] = err.value.problems
    assert problem.field == "mta-sts:reporting.receiver.digest"
    assert "monday" in problem.reason or "non-empty string" in problem.reason


@pytest.mark.parametrize(("given", "on"), [(True, True), ("false", False), (None, True)])
def test_the_stack_config_reads_the_analytics_switch(given: object, on: bool) -> None:
    assert load_stack_config(_receiver_config(analytics=given)).reporting.receiver.settings.analytics is on


def test_the_reader_handler_is_in_the_reader_archive_with_what_it_runs() -> None:
    from pulumi_mta_sts.receiver.archive import READER

    module, function = READER_HANDLER.rsplit(".", 1)
    path = module.replace(".", "/") + ".py"
    files = READER.files()
    assert READER.handler == READER_HANDLER
    assert path in files and f"def {function}(" in files[path].decode()
    for needed in ("table.py", "backfill.py", "store.py", "contract.py"):
        assert f"pulumi_mta_sts/receiver_lambda/{needed}" in files
    for needed in ("summary.py", "summary_render.py", "readiness.py"):
        assert f"pulumi_mta_sts/reports/{needed}" in files


ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@pytest.mark.parametrize(
    ("settings", "reader"), [({}, True), ({"digest": "off"}, True), ({"digest": "off", "analytics": False}, False)]
)
def test_a_failing_reader_notifies_the_topic_on_its_first_error(
    pulumi_mocks: Recorder, settings: dict[str, Any], reader: bool
) -> None:
    """Only the schedule and the owner invoke the reader, so one error is a digest that did not go."""
    deploy(pulumi_mocks, **settings)
    alarms = [a for a in pulumi_mocks.of_type(ALARM) if a.name == "tlsrpt-reader-errors"]
    if not reader:
        assert alarms == []
        return
    [alarm] = alarms
    topic = pulumi_mocks.one("aws:sns/topic:Topic")
    assert alarm.inputs["dimensions"] == {"FunctionName": pulumi_mocks.one(FUNCTION, "tlsrpt-reader").state["name"]}
    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == ("AWS/Lambda", "Errors")
    assert (alarm.inputs["threshold"], alarm.inputs["evaluationPeriods"], alarm.inputs["datapointsToAlarm"]) == (
        1,
        1,
        1,
    )
    assert alarm.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm.inputs["alarmActions"] == [topic.state["arn"]]

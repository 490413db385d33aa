"""The shared recording mock itself: what it records and what it answers."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from tests.pulumi_mock import Recorder, depends_on


class _Box(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mta-sts:test:Box", name, None, opts)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", force_destroy=False, opts=pulumi.ResourceOptions(parent=self))
        zone = aws.route53.get_zone_output(name="example.com")
        self.record = aws.route53.Record(
            f"{name}-rec",
            zone_id=zone.zone_id,
            name="x.example.com",
            type="TXT",
            ttl=300,
            records=[self.bucket.arn],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.bucket]),
        )
        pulumi.log.warn("hello from the box")
        self.register_outputs({})


def test_records_type_inputs_parent_dependencies_and_logs(pulumi_mocks: Recorder) -> None:
    pulumi_mocks.run(lambda: _Box("b"))

    box = pulumi_mocks.one("mta-sts:test:Box")
    bucket = pulumi_mocks.one("aws:s3/bucket:Bucket")
    record = pulumi_mocks.one("aws:route53/record:Record")
    assert bucket.parent == box.urn and record.parent == box.urn
    assert bucket.inputs["forceDestroy"] is False
    assert record.inputs["records"] == [bucket.state["arn"]]
    assert bucket.state["arn"].startswith("arn:aws:s3:::b-bucket-")
    assert record.inputs["zoneId"] == "Z0123456789EXAMPLE"
    assert depends_on(record, bucket) and depends_on(record, "b-bucket")
    assert bucket.urn in record.property_dependencies["records"]
    assert not depends_on(bucket, record)
    assert [c.args["name"] for c in pulumi_mocks.invoked("aws:route53/getZone:getZone")] == ["example.com"]
    assert "hello from the box" in pulumi_mocks.warnings
    assert pulumi_mocks.descendants_of(box) == [bucket, record]


def test_each_test_starts_empty(pulumi_mocks: Recorder) -> None:
    assert pulumi_mocks.resources == []


def test_an_invoke_without_an_answer_fails_naming_the_token(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        aws.get_availability_zones_output().names.apply(lambda n: n)

    with pytest.raises(Exception, match="getAvailabilityZones"):
        pulumi_mocks.run(program)

"""Issue 13: ``put_object(IfNoneMatch="*")`` needs botocore >= 1.35, and the SDK bundled in the
Lambda runtime is not a fixed version. The store detects the parameter and otherwise sends the
same header through a botocore hook: an existing object is never overwritten either way."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from pulumi_mta_sts.receiver_lambda.contract import JUNK_TAG
from pulumi_mta_sts.receiver_lambda.store import S3Store, supports_if_none_match

BUCKET = "store-test"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        yield s3


class _OldBotocoreClient:
    """What a botocore < 1.35 client does with ``IfNoneMatch``: refuse it before sending
    (``ParamValidationError: Unknown parameter in input``), and know nothing of it in its model."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.meta = real.meta
        self.sent: list[dict[str, Any]] = []

    def put_object(self, **arguments: Any) -> Any:
        if "IfNoneMatch" in arguments:
            from botocore.exceptions import ParamValidationError

            raise ParamValidationError(report='Unknown parameter in input: "IfNoneMatch"')
        self.sent.append(arguments)
        return self._real.put_object(**arguments)

    def head_object(self, **arguments: Any) -> Any:
        return self._real.head_object(**arguments)


def test_the_installed_botocore_has_the_parameter_and_the_store_uses_it(client: Any) -> None:
    assert supports_if_none_match(client)
    store = S3Store(BUCKET, client)
    assert store.uses_parameter
    assert store.put_new("k", b"first", "text/plain", {}) is True
    assert store.put_new("k", b"second", "text/plain", {}) is False
    assert client.get_object(Bucket=BUCKET, Key="k")["Body"].read() == b"first"


def test_an_sdk_without_the_parameter_gets_the_header_and_nothing_is_overwritten(client: Any) -> None:
    old = _OldBotocoreClient(client)
    store = S3Store(BUCKET, old, use_parameter=False)
    assert store.put_new("k", b"first", "text/plain", {"a": "1"}) is True
    assert store.put_new("k", b"second", "text/plain", {"a": "2"}) is False
    assert client.get_object(Bucket=BUCKET, Key="k")["Body"].read() == b"first"
    assert all("IfNoneMatch" not in sent for sent in old.sent)
    assert store.metadata("k") == {"a": "1"}
    assert store.metadata("absent") is None


def test_the_feature_is_detected_from_the_client_model() -> None:
    class Shape:
        members = ("Bucket", "Key")

    class Model:
        def operation_model(self, name: str) -> Any:
            return type("Op", (), {"input_shape": Shape()})()

    class Meta:
        service_model = Model()

    class Client:
        meta = Meta()

    assert supports_if_none_match(Client()) is False
    assert supports_if_none_match(object()) is False  # an unexpected shape: use the header


def test_the_store_picks_the_header_by_itself_when_the_model_lacks_the_parameter(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pulumi_mta_sts.receiver_lambda import store as store_module

    monkeypatch.setattr(store_module, "supports_if_none_match", lambda c: False)
    old = _OldBotocoreClient(client)
    store = S3Store(BUCKET, old)
    assert not store.uses_parameter
    assert store.put_new("x", b"1", "text/plain", {}) is True
    assert store.put_new("x", b"2", "text/plain", {}) is False


# --- junk raw copies are tagged so the lifecycle expires them with the quarantine ----------------


def test_a_raw_message_with_nothing_stored_is_tagged_and_one_with_a_report_is_not(client: Any) -> None:
    from pulumi_mta_sts.receiver_lambda import handler as lam
    from tests.reports.test_receiver_lambda import email, gz, report

    store = S3Store(BUCKET, client)
    settings = lam.Settings(bucket=BUCKET, domains=frozenset({"example.com"}))
    client.put_object(Bucket=BUCKET, Key="raw/email/spam", Body=b"Subject: buy now\r\n\r\nspam\r\n")
    client.put_object(Bucket=BUCKET, Key="raw/email/good", Body=email(("r.json.gz", gz(report()))))
    lam.handle_raw("raw/email/spam", store, settings, emit=lambda d: None)
    lam.handle_raw("raw/email/good", store, settings, emit=lambda d: None)
    tags = {
        key: {t["Key"]: t["Value"] for t in client.get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"]}
        for key in ("raw/email/spam", "raw/email/good")
    }
    assert tags == {"raw/email/spam": JUNK_TAG, "raw/email/good": {}}


def test_a_refused_tag_is_not_an_error(client: Any) -> None:
    store = S3Store(BUCKET, client)
    assert store.tag("raw/absent", {"a": "b"}) is False  # NoSuchKey: reported, never raised

"""Where the receiver's objects go: an S3 bucket, or a dict for tests.

Writes are create-only: ``PutObject`` with ``If-None-Match: *``. Its ``IfNoneMatch`` parameter
needs botocore 1.35, and the runtime's SDK "depends on the runtime version and your AWS Region"
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html), so an older client sends the
header through a ``before-sign`` hook; S3 enforces it alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["MemoryStore", "S3Store", "Store", "supports_if_none_match"]

_CONDITION_FAILED_CODES = ("PreconditionFailed", "ConditionalRequestConflict")
_CONDITION_FAILED_STATUSES = (409, 412)


class Store(Protocol):
    """``put_new`` writes only when ``key`` is absent and says whether it did; ``metadata`` is
    ``None`` when the object is absent or may not be read; ``tag`` says whether it could."""

    def get(self, key: str) -> bytes: ...

    def put_new(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> bool: ...

    def metadata(self, key: str) -> dict[str, str] | None: ...

    def tag(self, key: str, tags: dict[str, str]) -> bool: ...


def supports_if_none_match(client: Any) -> bool:
    """True when ``client``'s botocore knows ``PutObject``'s ``IfNoneMatch`` (botocore >= 1.35)."""
    try:
        members = client.meta.service_model.operation_model("PutObject").input_shape.members
    except Exception:  # an unexpected client shape: use the header, which works everywhere
        return False
    return "IfNoneMatch" in members


def _add_if_none_match_header(request: Any, **_: Any) -> None:
    """botocore ``before-sign.s3.PutObject`` hook: make the write create-only."""
    request.headers["If-None-Match"] = "*"


class S3Store:
    """:class:`Store` on one S3 bucket; ``put_new`` is an atomic conditional write."""

    def __init__(self, bucket: str, client: Any = None, *, use_parameter: bool | None = None) -> None:
        if client is None:
            import boto3  # the Lambda runtime provides it; imported late to keep cold start short

            client = boto3.client("s3")
        self.bucket = bucket
        self.client = client
        self.uses_parameter = supports_if_none_match(client) if use_parameter is None else use_parameter
        if not self.uses_parameter:
            client.meta.events.register(
                "before-sign.s3.PutObject", _add_if_none_match_header, unique_id="pulumi-mta-sts-if-none-match"
            )

    def get(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body

    def put_new(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> bool:
        from botocore.exceptions import ClientError

        arguments: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "Body": data,
            "ContentType": content_type,
            "Metadata": metadata,
        }
        if self.uses_parameter:
            arguments["IfNoneMatch"] = "*"
        try:
            self.client.put_object(**arguments)
        except ClientError as exc:
            if _condition_failed(exc.response):
                return False
            raise
        return True

    def metadata(self, key: str) -> dict[str, str] | None:
        """The object's user metadata; ``None`` when it is absent or the role may not read it
        (S3 answers 403 rather than 404 to a role without ``s3:ListBucket``)."""
        from botocore.exceptions import ClientError

        try:
            answer = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status in (403, 404):
                return None
            raise
        return dict(answer.get("Metadata") or {})

    def tag(self, key: str, tags: dict[str, str]) -> bool:
        """``False`` (never raised) when S3 refuses: a tag only shortens how long junk is kept, and
        must not turn a kept input into a retried invocation."""
        from botocore.exceptions import ClientError

        tag_set = [{"Key": name, "Value": value} for name, value in tags.items()]
        try:
            self.client.put_object_tagging(Bucket=self.bucket, Key=key, Tagging={"TagSet": tag_set})
        except ClientError:
            return False
        return True


def _condition_failed(response: Any) -> bool:
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in _CONDITION_FAILED_CODES or status in _CONDITION_FAILED_STATUSES


@dataclass
class MemoryStore:
    """:class:`Store` in a dict (tests and fuzzing)."""

    objects: dict[str, tuple[bytes, str, dict[str, str]]] = field(default_factory=dict)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, key: str) -> bytes:
        return self.objects[key][0]

    def put_new(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> bool:
        if key in self.objects:
            return False
        self.objects[key] = (data, content_type, dict(metadata))
        return True

    def metadata(self, key: str) -> dict[str, str] | None:
        found = self.objects.get(key)
        return dict(found[2]) if found is not None else None

    def tag(self, key: str, tags: dict[str, str]) -> bool:
        if key not in self.objects:
            return False
        self.tags[key] = dict(tags)
        return True

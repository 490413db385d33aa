"""Where the receiver's objects go: an S3 bucket. Writes are create-only (``If-None-Match: *``); botocore
before 1.35 (the runtime's may be older) sends the header through a ``before-sign`` hook."""

from __future__ import annotations

from typing import Any, Protocol

_CONDITION_FAILED_CODES = ("PreconditionFailed", "ConditionalRequestConflict")
_CONDITION_FAILED_STATUSES = (409, 412)


class Store(Protocol):
    """``put_new`` writes only an absent ``key``; ``metadata`` is ``None`` for an absent or unreadable one."""

    def get(self, key: str) -> bytes: ...

    def put_new(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> bool: ...

    def metadata(self, key: str) -> dict[str, str] | None: ...

    def tag(self, key: str, tags: dict[str, str]) -> bool: ...


def supports_if_none_match(client: Any) -> bool:
    """Whether ``client``'s botocore knows ``PutObject``'s ``IfNoneMatch`` (botocore >= 1.35)."""
    try:
        members = client.meta.service_model.operation_model("PutObject").input_shape.members
    except Exception:  # an unexpected client shape: use the header, which works everywhere
        return False
    return "IfNoneMatch" in members


def _add_if_none_match_header(request: Any, **_: Any) -> None:
    request.headers["If-None-Match"] = "*"


class S3Store:
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

        condition = {"IfNoneMatch": "*"} if self.uses_parameter else {}
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, Metadata=metadata, **condition
            )
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _CONDITION_FAILED_CODES or status in _CONDITION_FAILED_STATUSES:
                return False
            raise
        return True

    def metadata(self, key: str) -> dict[str, str] | None:
        """``None`` for 403 too: S3 answers it for an absent key to a role without ``s3:ListBucket``."""
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
        """``False``, never raised, when S3 refuses: a tag must not turn a kept input into a retry."""
        from botocore.exceptions import ClientError

        tag_set = [{"Key": name, "Value": value} for name, value in tags.items()]
        try:
            self.client.put_object_tagging(Bucket=self.bucket, Key=key, Tagging={"TagSet": tag_set})
        except ClientError:
            return False
        return True

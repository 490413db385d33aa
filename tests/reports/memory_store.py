"""The receiver's :class:`~pulumi_mta_sts.receiver_lambda.store.Store` in a dict, for tests, fuzzing and
the bench (standard library only: the receiver archive's test runs it beside the archive alone)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MemoryStore:
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

"""The state a watch keeps between rounds (``--state FILE``, or one S3 object for the scheduled watcher):
what was already said about each domain, so a problem is announced once per episode and its recovery
once, and since when a domain's policy has been seen in ``testing``. Versioned JSON; whatever a file
holds is checked (bounded reader, every part's type), and a file that cannot be used is one
:class:`~pulumi_mta_sts.core.errors.InputError` naming it and the fix, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_mta_sts.core.bounded_json import JsonBounds, JsonInputError, json_kind, load_bounded_json
from pulumi_mta_sts.core.errors import InputError, Problem

from .model import SEVERITIES, Severity, WatchProblem

STATE_VERSION: Final = 1
#: A state file is small (a few problems per domain); far above any real one, far below memory.
MAX_STATE_BYTES: Final = 32 * 1024 * 1024
STATE_BOUNDS: Final = JsonBounds(max_depth=8, max_items=2_000_000, max_int_digits=6)
_MAX_TEXT: Final = 4000
#: The longest problem code kept: a check name and a host name (at most 253 characters).
MAX_CODE: Final = 300
_FIX: Final = (
    "delete it to start afresh (the next round then says every problem again) or restore the file a round wrote"
)


@dataclass(frozen=True)
class Said:
    """One problem as it was last said, and since when it has lasted."""

    severity: Severity
    level: int
    message: str
    since: dt.datetime

    @property
    def rank(self) -> tuple[int, int]:
        return SEVERITIES.index(self.severity), self.level

    @classmethod
    def of(cls, problem: WatchProblem, since: dt.datetime) -> Said:
        """What the state keeps: the message cut to what a state file may hold (a served policy is long)."""
        message = problem.message if len(problem.message) <= _MAX_TEXT else problem.message[: _MAX_TEXT - 1] + "…"
        return cls(problem.severity, problem.level, message, since)


@dataclass(frozen=True)
class DomainState:
    problems: dict[str, Said] = field(default_factory=dict)
    testing_since: dt.datetime | None = None


@dataclass(frozen=True)
class WatchState:
    domains: dict[str, DomainState] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "domains": {
                name: {
                    "problems": {
                        code: {"severity": s.severity, "level": s.level, "message": s.message, "since": _iso(s.since)}
                        for code, s in sorted(state.problems.items())
                    },
                    "testing_since": None if state.testing_since is None else _iso(state.testing_since),
                }
                for name, state in sorted(self.domains.items())
            },
        }

    def to_bytes(self) -> bytes:
        return (json.dumps(self.as_json(), indent=1, ensure_ascii=True) + "\n").encode("ascii")


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Bad(Exception):
    def __init__(self, path: str, what: str) -> None:
        super().__init__(f"{path} {what}")


def _text(value: Any, path: str, limit: int = _MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise _Bad(path, f"is {json_kind(value)}, not text")
    if len(value) > limit:
        raise _Bad(path, f"is longer than {limit} characters")
    return value


def _moment(value: Any, path: str) -> dt.datetime:
    text = _text(value, path, 40)
    try:
        moment = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        raise _Bad(path, "is not a UTC time such as 2026-12-07T16:00:00Z") from None
    return moment


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(path, f"is {json_kind(value)}, not an object")
    return value


def _said(value: Any, path: str) -> Said:
    entry = _object(value, path)
    severity = entry.get("severity")
    if severity not in SEVERITIES:
        raise _Bad(f"{path}.severity", f"must be one of {', '.join(SEVERITIES)}")
    level = entry.get("level")
    if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 100_000:
        raise _Bad(f"{path}.level", "must be a whole number from 0 to 100000")
    message = _text(entry.get("message"), f"{path}.message")
    return Said(severity, level, message, _moment(entry.get("since"), f"{path}.since"))


def _domain_state(value: Any, path: str) -> DomainState:
    entry = _object(value, path)
    problems = _object(entry.get("problems"), f"{path}.problems")
    said = {
        _text(code, f"{path}.problems key", MAX_CODE): _said(v, f"{path}.problems[{code!r}]")
        for code, v in problems.items()
    }
    since = entry.get("testing_since")
    return DomainState(said, None if since is None else _moment(since, f"{path}.testing_since"))


def state_from_json(document: Any) -> WatchState:
    """A state document (:meth:`WatchState.as_json`) checked; :class:`ValueError` says where it is wrong."""
    try:
        root = _object(document, "the state")
        if root.get("version") != STATE_VERSION:
            raise _Bad("version", f"is {root.get('version')!r}; this watch reads version {STATE_VERSION}")
        domains = _object(root.get("domains"), "domains")
        return WatchState(
            {_text(d, "domains key", 300): _domain_state(v, f"domains[{d!r}]") for d, v in domains.items()}
        )
    except _Bad as exc:
        raise ValueError(str(exc)) from None


def state_from_bytes(data: bytes, name: str) -> WatchState:
    """A state file's bytes; anything unusable is one problem naming ``name`` and the fix."""
    try:
        if len(data) > MAX_STATE_BYTES:
            raise ValueError(f"is larger than {MAX_STATE_BYTES} bytes")
        return state_from_json(load_bounded_json(data, STATE_BOUNDS))
    except JsonInputError as exc:
        reason = exc.reason
    except ValueError as exc:
        reason = str(exc)
    raise InputError([Problem(name, None, f"not a watch state file: {reason}; {_FIX}")])

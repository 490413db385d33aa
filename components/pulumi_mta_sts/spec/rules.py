"""The rules of a deployment's fields, one function each, so one mistake gets one message wherever it
is made; each takes the field name to report (``mta-sts:host.kind``, ``host``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import Problem
from pulumi_mta_sts.core.hostnames import MAX_NAME_LENGTH, normalize_hostname
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import policy_host, sts_record_name, tlsrpt_record_name, validate_rua

PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")
WORKER_NEEDS_CLOUDFLARE = (
    "a Cloudflare Worker needs dns.provider cloudflare (a CloudflareDns backend); use kind cloudfront"
)
#: AWS limits on tag names and values (characters).
TAG_KEY_LENGTH, TAG_VALUE_LENGTH = 128, 256
#: The longest digit string read as a number (``int()`` of thousands of digits is slow).
MAX_DIGITS = 18


def not_one_of(field_name: str, value: object, choices: Sequence[str]) -> Problem:
    return Problem(field_name, value, f"{value!r} is not supported; use one of {', '.join(choices)}")


def digit_string(text: str) -> int | None:
    """The number an ASCII digit string stands for (``" 600 "`` → 600), else ``None`` (``'٣'``, signs)."""
    text = text.strip()
    if not text or len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def whole_number_problems(field_name: str, value: object, low: int, high: int) -> list[Problem]:
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return []
    return [Problem(field_name, value, f"must be a whole number from {low} to {high}, got {value!r}")]


def whole_number(field_name: str, value: object, low: int, high: int) -> tuple[int | None, list[Problem]]:
    """``value`` (an ``int`` or a digit string) from ``low`` to ``high``, or its problem."""
    number = digit_string(value) if isinstance(value, str) else value
    if isinstance(number, int) and not whole_number_problems(field_name, number, low, high):
        return number, []
    return None, whole_number_problems(field_name, value, low, high)


def boolean(field_name: str, value: object, default: bool) -> tuple[bool, list[Problem]]:
    """``value`` as a switch (``"true"``/``"false"`` as config values arrive too); ``None``: ``default``."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true", []
    if value is None or isinstance(value, bool):
        return default if value is None else value, []
    return default, [Problem(field_name, value, f"must be true or false, got {value!r}")]


def price_class_problems(value: object) -> list[Problem]:
    return [] if value in PRICE_CLASSES else [not_one_of("price_class", value, PRICE_CLASSES)]


def tags_problems(value: object) -> list[Problem]:
    if not isinstance(value, Mapping):
        reason = f"must be a mapping of tag names to text values, got {type(value).__name__}"
        return [Problem("tags", value, reason)]
    problems: list[Problem] = []
    for key, text in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_LENGTH:
            reason = f"a tag name is text of 1 to {TAG_KEY_LENGTH} characters"
            problems.append(Problem(f"tags.{key}", key, reason))
        elif not isinstance(text, str) or len(text) > TAG_VALUE_LENGTH:
            reason = f"a tag value is text of at most {TAG_VALUE_LENGTH} characters"
            problems.append(Problem(f"tags.{key}", text, reason))
    return problems


def policy_problems(value: object, field_name: str = "policy") -> list[Problem]:
    """Components take a ready :class:`Policy` (valid by construction), never raw fields."""
    if isinstance(value, Policy):
        return []
    return [Problem(field_name, value, "must be a Policy (use Policy.build(mode, mx, max_age))")]


def host_kind_problems(kind: object, dns_provider: str | None, field_name: str = "host.kind") -> list[Problem]:
    if kind not in defaults.HOST_KINDS:
        return [not_one_of(field_name, kind, defaults.HOST_KINDS)]
    if kind == "worker" and dns_provider is not None and dns_provider != "cloudflare":
        return [Problem(field_name, "worker", WORKER_NEEDS_CLOUDFLARE)]
    return []


def id_problems(value: object, field_name: str, owner: str) -> list[Problem]:
    if value is None or (isinstance(value, str) and value.strip() and " " not in value.strip()):
        return []
    return [Problem(field_name, value, f"must be the {owner}'s id as a string (no spaces)")]


def zone_problems(zone_id: object, zone_name: object, *, required: bool = True) -> tuple[str | None, list[Problem]]:
    """The zone name in normal form (``None``: not given) and the problems; ``required``: id or name."""
    problems = id_problems(zone_id, "zone_id", "zone")
    normal: str | None = None
    if zone_name is not None:
        normal, name_problems = normalize_hostname(zone_name, "zone_name", min_labels=1)
        problems += name_problems
    elif required and zone_id is None:
        problems.append(Problem("zone_id", None, "give the zone's id or its name (zone_name)"))
    return normal, problems


def rua_problems(rua: object, field_name: str = "rua") -> list[Problem]:
    if isinstance(rua, str) or not isinstance(rua, Sequence):
        reason = "must be a list of mailto: or https: URIs, e.g. ['mailto:tlsrpt@example.com']"
        return [Problem(field_name, rua, reason)]
    return [p for index, uri in enumerate(rua) for p in validate_rua(uri, f"{field_name}[{index}]")]


def name_length_problems(domain: str | None, rua: object, field_name: str = "domain") -> list[Problem]:
    """A valid domain may leave no room for ``_smtp._tls.`` before it within DNS's 253 characters."""
    if domain is None:
        return []
    names = [policy_host(domain), sts_record_name(domain)]
    if rua and not isinstance(rua, str):
        names.append(tlsrpt_record_name(domain))
    longest = max(names, key=len)
    if len(longest) <= MAX_NAME_LENGTH:
        return []
    room = MAX_NAME_LENGTH - (len(longest) - len(domain))
    reason = (
        f"is {len(domain)} characters long, so {longest[: len(longest) - len(domain)]}<domain> would be "
        f"{len(longest)}, over DNS's {MAX_NAME_LENGTH}; MTA-STS here needs a domain of at most {room} characters"
    )
    return [Problem(field_name, domain, reason)]


def store_keys_problems(layout: object, field_name: str = "store_keys") -> list[Problem]:
    if isinstance(layout, str) and layout in defaults.STORE_KEYS_LAYOUTS:
        return []
    reason = (
        f"must be one of {', '.join(defaults.STORE_KEYS_LAYOUTS)}: migrating for a fleet deployed with an earlier "
        "version (then exclusive once an update with this version has succeeded), exclusive for a new one "
        "(docs/fleets.md, 'The store's keys')"
    )
    return [Problem(field_name, layout, reason)]

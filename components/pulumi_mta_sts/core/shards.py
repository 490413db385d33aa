"""Which shard (one ACM certificate + one CloudFront distribution) serves each domain of a fleet.

Moving a domain can fail half way, so the assignment is stable (docs/fleets.md, "Stable shards"): a
pinned domain keeps its shard; new ones, in name order, fill free slots, lowest shard first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import count

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem


def shard_key(domain: str) -> str:
    return domain.strip().rstrip(".").lower()


def shard_problems(domains: Iterable[str], previous: Mapping[str, object], per_shard: object) -> list[Problem]:
    listed, high = list(domains), defaults.DOMAINS_PER_CERTIFICATE_MAX
    problems: list[Problem] = []
    if isinstance(per_shard, bool) or not isinstance(per_shard, int) or not 1 <= per_shard <= high:
        reason = (
            f"must be a whole number from 1 to {high} (ACM allows {defaults.DOMAINS_PER_CERTIFICATE} "
            f"names per certificate by default, up to {high} after a quota raise)"
        )
        problems.append(Problem("domains_per_certificate", per_shard, reason))
    for domain, shard in previous.items():
        if isinstance(shard, bool) or not isinstance(shard, int) or not 0 <= shard < defaults.SHARD_LIMIT:
            reason = f"must be a shard number from 0 to {defaults.SHARD_LIMIT - 1}"
            problems.append(Problem(f"assignment.{domain}", shard, reason))
    for key, n in Counter(shard_key(d) for d in listed).items():
        if n > 1:
            problems.append(Problem("domains", key, "is listed more than once; list every domain once"))
    if problems or not isinstance(per_shard, int):
        return problems
    pins = {shard_key(d): s for d, s in previous.items() if isinstance(s, int)}
    kept = {d: pins[shard_key(d)] for d in listed if shard_key(d) in pins}
    held = Counter(kept.values())
    for shard, carried in sorted(held.items()):
        if carried > per_shard:
            reason = (
                f"is smaller than the {carried} domains shard {shard} already carries; keep it at least {carried} "
                "(lowering it would move live domains to another certificate and distribution)"
            )
            problems.append(Problem("domains_per_certificate", per_shard, reason))
    room = (defaults.SHARD_LIMIT - len(held)) * per_shard + sum(per_shard - n for n in held.values())
    if len(listed) - len(kept) > room:
        problems.append(Problem("domains", len(listed), f"need more than {defaults.SHARD_LIMIT} shards"))
    return problems


def assign_shards(
    domains: Iterable[str], previous: Mapping[str, int], per_shard: int = defaults.DOMAINS_PER_CERTIFICATE
) -> dict[str, int]:
    listed = list(domains)
    if problems := shard_problems(listed, previous, per_shard):
        raise InputError(problems)
    pins = {shard_key(d): s for d, s in previous.items()}
    assignment = {d: pins[shard_key(d)] for d in listed if shard_key(d) in pins}
    held = Counter(assignment.values())
    newcomers = sorted((d for d in listed if d not in assignment), key=shard_key)
    for domain, shard in zip(newcomers, _free_slots(held, per_shard), strict=False):
        assignment[domain] = shard
    return {d: assignment[d] for d in sorted(assignment, key=lambda d: (assignment[d], shard_key(d)))}


def _free_slots(held: Counter[int], per_shard: int) -> Iterable[int]:
    for shard in sorted(held):
        yield from [shard] * (per_shard - held[shard])
    for shard in count():
        if shard not in held:
            yield from [shard] * per_shard


def shard_members(assignment: Mapping[str, int]) -> dict[int, tuple[str, ...]]:
    members: dict[int, list[str]] = {}
    for domain, shard in assignment.items():
        members.setdefault(shard, []).append(domain)
    return {shard: tuple(sorted(members[shard], key=shard_key)) for shard in sorted(members)}


def function_groups(shards: Iterable[int], limit: int = defaults.FUNCTION_DISTRIBUTION_LIMIT) -> dict[int, int]:
    """Shard -> its CloudFront Function: all 0 up to ``limit`` shards (as every fleet did before), beyond
    ``s // limit``, so a shard keeps its function as others come and go."""
    numbers = sorted(set(shards))
    return dict.fromkeys(numbers, 0) if len(numbers) <= limit else {shard: shard // limit for shard in numbers}

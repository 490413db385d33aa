"""What writes a fleet's KeyValueStore, as the Pulumi engine would run it: the fixtures and the simulator
of ``test_kvs_migration.py``.

- :func:`plan_writers` plans a fleet under the mock engine and keeps the resources that write the store
  (``KeyvaluestoreKey``: one key; ``KeyvaluestoreKeysExclusive``: every key) with their dependencies and
  ``retainOnDelete``, as the engine records them in the state.
- ``tests/components/data/kvs_main.json`` holds what the code of ``main`` at 0def74f (before the exclusive
  resource) planned for the example fleet and for :func:`large_fleet`: the old state of a stack deployed
  before. It was written by running this file against that commit::

      git archive 0def74f components stacks tests Pulumi.yaml | tar -x -C /tmp/main
      cd /tmp/main && PYTHONPATH=/tmp/main/components:/tmp/main \\
          python /path/to/tests/components/kvs_migration.py tests/components/data/kvs_main.json

- :func:`deploy` replays one ``pulumi up`` from an old set of writers to a new one the way the engine
  does (pulumi/pulumi ``pkg/resource/deploy``, docs/fleets.md cites the code): creates and updates in an
  order that respects dependencies (any such order), each ``UpdateKeys`` batch of the exclusive resource
  in any order; then the deletes of what left the program, with the *old* state's ``retainOnDelete``.
  After every single write it checks what a reader of the store would get for every host.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEY = "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey"
KEYS = "aws:cloudfront/keyvaluestoreKeysExclusive:KeyvaluestoreKeysExclusive"
FIXTURE = Path(__file__).resolve().parent / "data" / "kvs_main.json"
#: ``UpdateKeys`` takes at most 50 keys (the provider's ``max_batch_size`` default and maximum).
BATCH = 50
CHUNKED = "chunks:"
SEP = "~"


@dataclass(frozen=True)
class Writer:
    """A resource that writes the store, as the state records it."""

    name: str
    exclusive: bool
    pairs: tuple[tuple[str, str], ...]
    depends_on: frozenset[str] = frozenset()
    retain: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "exclusive": self.exclusive,
            "pairs": [list(p) for p in self.pairs],
            "depends_on": sorted(self.depends_on),
            "retain": self.retain,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Writer:
        pairs = tuple((str(k), str(v)) for k, v in raw["pairs"])
        return cls(str(raw["name"]), bool(raw["exclusive"]), pairs, frozenset(raw["depends_on"]), bool(raw["retain"]))


# ---- what a reader gets -------------------------------------------------------------------------------
BROKEN = "(a head whose chunks are missing)"


def read(store: Mapping[str, str], host: str) -> str | None:
    """What the function serves for ``host`` (its code's reading, :mod:`pulumi_mta_sts.hosting.edge_code`):
    the policy, ``None`` (404: no key), or :data:`BROKEN` (a head pointing at missing chunks)."""
    head = store.get(host)
    if head is None or not head.startswith(CHUNKED):
        return head
    count, tag = head[len(CHUNKED) :].split(":")
    parts = [store.get(f"{host}{SEP}{tag}{SEP}{i}") for i in range(1, int(count) + 1)]
    return BROKEN if any(p is None for p in parts) else "".join(p for p in parts if p is not None)


def served(writers: Sequence[Writer]) -> dict[str, str]:
    """Host -> policy served once ``writers`` have written the store (an empty store first)."""
    store: dict[str, str] = {}
    for writer in writers:
        store.update(writer.pairs)
    return {k: policy for k in store if SEP not in k and (policy := read(store, k)) not in (None, BROKEN)}


# ---- the engine -------------------------------------------------------------------------------------
@dataclass
class Deployment:
    """One ``pulumi up`` replayed on a store; ``events`` lists every write, ``problems`` every moment a
    reader would have got a wrong answer."""

    store: dict[str, str]
    before: dict[str, str]
    after: dict[str, str]
    rng: random.Random
    events: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def check(self, event: str) -> None:
        """After a write: a host served before and after reads its old or its new policy (never nothing,
        never a head whose chunks are missing); a host being added reads nothing or its new policy; a host
        being removed reads its old policy or a 404 (no head, or a head whose chunks are already gone: the
        function answers both with 404, never with part of a policy)."""
        self.events.append(event)
        for host in {*self.before, *self.after}:
            got = read(self.store, host)
            allowed = {self.before.get(host), self.after.get(host)}
            if host in self.before and host in self.after:
                allowed.discard(None)
            elif host not in self.after:
                allowed |= {None, BROKEN}
            if got not in allowed:
                self.problems.append(f"after {event}: {host} reads {got!r}")

    def put(self, key: str, value: str, event: str) -> None:
        self.store[key] = value
        self.check(event)

    def delete(self, key: str, event: str) -> None:
        self.store.pop(key, None)  # DeleteKey of a missing key: ResourceNotFound, ignored by the provider
        self.check(event)

    def sync(self, writer: Writer, batch: int) -> None:
        """``KeyvaluestoreKeysExclusive`` create or update: the pairs that differ, put in batches of at most
        ``batch`` (in no guaranteed order: the set's), then every key not in its set deleted in batches.
        Each ``UpdateKeys`` call is one atomic write."""
        wanted = dict(writer.pairs)
        puts = [(k, v) for k, v in wanted.items() if self.store.get(k) != v]
        self.rng.shuffle(puts)
        for start in range(0, len(puts), batch):
            self.store.update(puts[start : start + batch])
            self.check(f"{writer.name}: put {len(puts[start : start + batch])}")
        deletes = [k for k in self.store if k not in wanted]
        self.rng.shuffle(deletes)
        for start in range(0, len(deletes), batch):
            for key in deletes[start : start + batch]:
                self.store.pop(key)
            self.check(f"{writer.name}: delete {len(deletes[start : start + batch])}")


def _order(writers: Mapping[str, Writer], rng: random.Random) -> Iterator[Writer]:
    """The writers in a random order that respects their dependencies (the engine runs a resource once
    the resources it depends on are done; which of the ready ones first is not fixed)."""
    done: set[str] = set()
    pending = dict(writers)
    while pending:
        ready = sorted(n for n, w in pending.items() if not (w.depends_on & pending.keys()))
        assert ready, f"a dependency cycle among {sorted(pending)}"
        name = rng.choice(ready)
        done.add(name)
        yield pending.pop(name)


def deploy(
    old: Sequence[Writer], new: Sequence[Writer], *, seed: int = 0, batch: int = BATCH
) -> tuple[Deployment, list[Writer]]:
    """Replay ``pulumi up`` from the state ``old`` to the program ``new`` on the store ``old`` wrote; returns
    the deployment and the new state (what the next update starts from)."""
    rng = random.Random(seed)
    store: dict[str, str] = {}
    for writer in old:
        store.update(writer.pairs)
    run = Deployment(store, served(old), served(new), rng)
    before = {w.name: w for w in old}
    for writer in _order({w.name: w for w in new}, rng):
        previous = before.get(writer.name)
        if writer.exclusive:
            if previous is None or previous.pairs != writer.pairs:
                run.sync(writer, batch)
        elif previous is None or previous.pairs != writer.pairs:  # create, or update in place (PutKey)
            [(key, value)] = writer.pairs
            run.put(key, value, f"{writer.name}: put {key}")
    gone = [w for w in old if w.name not in {n.name for n in new}]
    rng.shuffle(gone)
    for writer in gone:  # at the end, with the old state's options (DeleteStep)
        if writer.retain or writer.exclusive:  # retained; the exclusive resource's delete deletes nothing
            continue
        [(key, _)] = writer.pairs
        run.delete(key, f"{writer.name}: delete {key} (old state, no retainOnDelete)")
    return run, list(new)


# ---- planning --------------------------------------------------------------------------------------
def plan_writers(program: Callable[[], Any], *, config: Mapping[str, Any] | None = None) -> list[Writer]:
    """Plan ``program`` (or, with ``config``, the stack program on those ``mta-sts:`` values) under the
    test cloud and return the resources that write the store."""
    from tests.components.fleet_support import run_program
    from tests.pulumi_mock import make_recorder

    rec = make_recorder()
    retained: dict[str, bool] = {}
    original = rec.monitor.RegisterResource

    def spy(request: Any) -> Any:
        retained[request.name] = bool(getattr(request, "retainOnDelete", False))
        return original(request)

    rec.monitor.RegisterResource = spy  # type: ignore[method-assign]
    try:
        if config is not None:
            run_program(rec, config)
        else:
            rec.install(project="mta-sts", stack="test")
            rec.run(program)
    finally:
        rec.close()
    names = {r.urn: r.name for r in rec.resources}
    writers = []
    for r in rec.resources:
        if r.type not in (KEY, KEYS):
            continue
        pairs = (
            tuple((p["key"], p["value"]) for p in r.inputs.get("resourceKeyValuePairs", []))
            if r.type == KEYS
            else ((r.inputs["key"], r.inputs["value"]),)
        )
        deps = frozenset(names[u] for u in r.all_dependencies() if u in names)
        writers.append(Writer(r.name, r.type == KEYS, pairs, deps, retained.get(r.name, False)))
    return sorted(writers, key=lambda w: w.name)  # registration order varies between runs; the engine's order is
    # the dependencies', which the replay follows


def large_fleet(count: int = 300) -> list[tuple[str, str]]:
    """A fleet of ``count`` domains, (domain, policy text): small policies of three kinds and, every tenth,
    one over 1 KB (chunked)."""
    from pulumi_mta_sts.core.policy import Policy

    fleet = []
    for i in range(count):
        if i % 10 == 7:
            mx = [f"mx{j}.a-long-mail-host-name-{i}.example.net" for j in range(40)]
            policy = Policy.build("enforce", mx, 604800)
        else:
            policy = Policy.build(("testing", "enforce", "none")[i % 3], [f"mx.c{i:03}.example"], 86401 + i)
        fleet.append((f"c{i:03}.example", policy.render()))
    return fleet


def hosting_program(fleet: Sequence[tuple[str, str]], **extra: Any) -> Callable[[], None]:
    """A program making the shared CloudFront host (named ``fleet``) for ``fleet``, each domain in its own
    Route53 zone."""

    def program() -> None:
        from pulumi_mta_sts.dns import Route53Dns, Route53DnsArgs
        from pulumi_mta_sts.hosting.shared import FleetSite
        from pulumi_mta_sts.hosting.shared_cloudfront import SharedCloudFrontHosting, SharedCloudFrontHostingArgs

        sites = [FleetSite(d, text, Route53Dns(f"dns-{d}", Route53DnsArgs(zone_id="Z1"))) for d, text in fleet]
        SharedCloudFrontHosting("fleet", SharedCloudFrontHostingArgs(sites=sites, **extra))

    return program


def example_fleet_values() -> dict[str, Any]:
    """The ``mta-sts:`` values of ``stacks/Pulumi.example-fleet.yaml`` as this checkout has them."""
    from pulumi_mta_sts.config.stack import read_stack_file, stack_values

    return stack_values(read_stack_file(Path("stacks") / "Pulumi.example-fleet.yaml"))


def write_main_fixture(path: Path) -> None:
    """Plan the example fleet and :func:`large_fleet` with the code on ``sys.path`` (``main``) and write
    what writes their store, with the example's values, to ``path``."""
    values = example_fleet_values()
    fixture = {
        "commit": "0def74f",
        "example-fleet": {
            "values": values,
            "writers": [w.as_json() for w in plan_writers(lambda: None, config=values)],
        },
        "large": {"writers": [w.as_json() for w in plan_writers(hosting_program(large_fleet()))]},
    }
    path.write_text(json.dumps(fixture, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main_fixture() -> dict[str, Any]:
    """``tests/components/data/kvs_main.json``: what ``main`` planned (see the module docs)."""
    loaded: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return loaded


if __name__ == "__main__":
    write_main_fixture(Path(sys.argv[1]))

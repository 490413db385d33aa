"""What live DNS and the policy host say for a migration: the MX hosts and their TTL, the one
``_mta-sts`` id and its TTL, and the policy served (fetched as a sender does). Trouble is a value
(``problem``): a step is never told from a half-read domain."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import dns.exception
import dns.resolver

from pulumi_mta_sts.core.acceptance import Refused
from pulumi_mta_sts.core.migrate_steps import Live
from pulumi_mta_sts.core.policy import parse_policy
from pulumi_mta_sts.core.records import parse_sts_records, policy_host, sts_record_name
from pulumi_mta_sts.net.https_fetch import fetch_policy
from pulumi_mta_sts.net.lookup import Outcome, lookup, mail_hosts


@dataclass(frozen=True)
class LiveRead:
    live: Live | None
    problem: str | None = None


def answer_ttl(resolver: dns.resolver.Resolver, name: str, rtype: str) -> int | None:
    """The TTL of the ``rtype`` answer at ``name`` as the resolver gives it (a caching resolver counts it
    down: ask the zone's own server for the full value); 0 when there is no such record, ``None`` on trouble."""
    try:
        answer = resolver.resolve(name, rtype, raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN:
        return 0
    except (dns.exception.DNSException, OSError):
        return None
    return 0 if answer.rrset is None else int(answer.rrset.ttl)


def read_live(
    resolver: dns.resolver.Resolver, domain: str, *, context: ssl.SSLContext, https_port: int, timeout: float
) -> LiveRead:
    mail = mail_hosts(resolver, domain)
    if mail.problem is not None:
        return LiveRead(None, f"cannot list the MX hosts of {domain}: {mail.problem.describe_failure()}")
    if mail.null_mx:
        return LiveRead(None, f"{domain} has a null MX (RFC 7505): it receives no mail")
    txt = lookup(resolver, sts_record_name(domain), "TXT")
    if txt.failed:
        return LiveRead(None, f"cannot read the _mta-sts record: {txt.describe_failure()}")
    ttls = answer_ttl(resolver, domain, "MX"), answer_ttl(resolver, sts_record_name(domain), "TXT")
    if ttls[0] is None or ttls[1] is None:
        return LiveRead(None, f"cannot read the TTLs of the MX and _mta-sts records of {domain}")
    record = parse_sts_records(txt.texts()).record if txt.outcome is Outcome.OK else None
    if record is None:
        return LiveRead(Live(mail.hosts, ttls[0], None, ttls[1], None))
    host = policy_host(domain)
    address = next((r.address for r in lookup(resolver, host, "A").records), None)
    if address is None:
        return LiveRead(None, f"{host} has no A record: the served policy cannot be read")
    verdict = fetch_policy(host, address, port=https_port, context=context, timeout=timeout).verdict
    if isinstance(verdict, Refused):
        return LiveRead(None, f"the policy at {host} {verdict.reason}: senders see none ({verdict.fix})")
    parsed = parse_policy(verdict.body)
    if parsed.policy is None:
        return LiveRead(None, f"the policy at {host} is not valid: " + "; ".join(map(str, parsed.errors)))
    return LiveRead(Live(mail.hosts, ttls[0], record.id, ttls[1], parsed.policy))

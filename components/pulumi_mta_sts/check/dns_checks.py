"""The checker's verdicts that need only DNS: the TXT records and MX coverage. Look-ups go through
:func:`pulumi_mta_sts.net.lookup.lookup`, so no DNS problem escapes as an exception."""

from __future__ import annotations

from typing import Any

from pulumi_mta_sts.core import records
from pulumi_mta_sts.core.matching import matching_pattern, uncovered, unused_patterns
from pulumi_mta_sts.core.migrate_patterns import one_label_notes
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import StsRecord, StsRecordSet, TlsRptRecord, TlsRptRecordSet
from pulumi_mta_sts.net.lookup import Asker, MailHosts, Outcome, lookup

from .model import CheckResult, failed, passed, skipped, warned


def _txt_check(resolver: Asker, domain: str, sts: bool, hints: tuple[str, str]) -> tuple[CheckResult, Any]:
    """Check 1 (``sts``, a CNAME followed is shown) or 7: exactly one record senders use; the result
    and that record (``None``: none). ``hints``: what to publish, what to do about several."""
    check_id = "sts-record" if sts else "tlsrpt-record"
    name = records.sts_record_name(domain) if sts else records.tlsrpt_record_name(domain)
    found = lookup(resolver, name, "TXT")
    publish = f"publish one TXT record at {name}: {hints[0]}"
    if found.outcome is not Outcome.OK:
        hint = publish if not found.failed else f"make the nameservers of {domain} answer for {name}"
        return failed(check_id, found.describe_failure(), hint), None
    via = f" (via CNAME to {found.canonical})" if sts and found.canonical and found.canonical != name else ""
    texts = found.texts()
    parsed = records.parse_sts_records(texts) if sts else records.parse_tlsrpt_records(texts)
    record = parsed.record
    if record is None:
        reasons = "; ".join(p.reason for p in [*parsed.problems, *parsed.warnings])
        hint = hints[1] if len(parsed.candidates) > 1 else publish
        return failed(check_id, f"{name}{via}: {reasons}", hint), None
    said = f"v=STSv1 id={record.id}" if isinstance(record, StsRecord) else f"v=TLSRPTv1 rua={','.join(record.rua)}"
    return _passed_or_warned(check_id, f"{name}{via}: {said}", parsed), record


def check_sts_record(resolver: Asker, domain: str) -> tuple[CheckResult, StsRecord | None]:
    """Check 1: exactly one valid ``v=STSv1`` TXT record at ``_mta-sts.<domain>`` (CNAME followed)."""
    several = "delete all but one v=STSv1 record (senders ignore MTA-STS when there are several)"
    return _txt_check(resolver, domain, True, ("'v=STSv1; id=<1-32 letters/digits>;'", several))


def check_tlsrpt_record(resolver: Asker, domain: str) -> tuple[CheckResult, TlsRptRecord | None]:
    """Check 7: exactly one valid ``v=TLSRPTv1`` record at ``_smtp._tls.<domain>`` with a valid rua."""
    several = "delete all but one v=TLSRPTv1 record; put every address in its rua, comma separated"
    return _txt_check(resolver, domain, False, (f"'v=TLSRPTv1; rua=mailto:tlsrpt@{domain}'", several))


def _passed_or_warned(check_id: str, detail: str, parsed: StsRecordSet | TlsRptRecordSet) -> CheckResult:
    """Passes, or warns when something beside it was ignored or it is valid only alone (RFC 8461 §3.1)."""
    if not parsed.warnings:
        return passed(check_id, detail)
    notes = "; ".join(p.reason for p in parsed.warnings)
    hint = "delete the ignored records or fields so every sender reads the same"
    if parsed.literal_readers_drop:
        hint = "remove the white space before the first ';' so every sender reads the record; " + hint
    return warned(check_id, f"{detail}; {notes}", hint)


def check_mx_coverage(mail: MailHosts, policy: Policy | None) -> CheckResult:
    """Check 5: every MX host matches a policy ``mx`` pattern (RFC 8461 §4.1)."""
    cid = "mx-coverage"
    if policy is None:
        return skipped(cid, "no usable policy to compare the MX hosts with")
    if policy.mode == "none":
        return skipped(cid, "mode is none: senders do not apply the mx list")
    if mail.problem is not None:
        hint = f"make the nameservers of {mail.domain} answer MX queries" if mail.problem.failed else ""
        if mail.problem.outcome is Outcome.NXDOMAIN:
            hint = f"{mail.domain} does not exist in DNS; check the domain name"
        return failed(cid, f"cannot list the mail hosts: {mail.problem.describe_failure()}", hint)
    if mail.null_mx:
        return skipped(cid, f"{mail.domain} has a null MX (accepts no mail)")
    if not mail.hosts:
        return warned(
            cid,
            f"{mail.domain} has no MX and no A/AAAA record: it receives no mail",
            "publish the domain's MX records, or drop MTA-STS for a domain without mail",
        )
    patterns = list(policy.mx)
    missing = uncovered(mail.hosts, patterns)
    unused = unused_patterns(mail.hosts, patterns)
    kind = "implicit MX (no MX record)" if mail.implicit else "MX"
    if missing:
        detail = f"{kind} not covered by the policy: {', '.join(missing)} (patterns: {', '.join(patterns) or '(none)'})"
        notes = "".join(f"{note}; " for note in one_label_notes(missing, patterns))
        hint = notes + "add an 'mx:' line for each uncovered host (a '*.' pattern covers exactly one label) "
        hint += "and publish a new policy before relying on enforce"
        if policy.mode == "enforce":
            return failed(cid, detail + " — senders will not deliver to them", hint)
        return warned(cid, detail + " — would lose mail in enforce", hint)
    pairs = ", ".join(f"{h}→{matching_pattern(h, patterns)}" for h in mail.hosts)
    if unused:
        return warned(
            cid,
            f"all {len(mail.hosts)} {kind} covered ({pairs}); patterns matching no MX: {', '.join(unused)}",
            "remove patterns for hosts that no longer receive mail (they allow delivery to them)",
        )
    return passed(cid, f"all {len(mail.hosts)} {kind} covered: {pairs}")

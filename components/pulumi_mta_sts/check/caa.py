"""Check 9: the CAA records (RFC 8659) relevant to ``mta-sts.<domain>`` must allow its certificate's CA;
a certificate does not name its CA's CAA domain, so well-known CAs are mapped, else the issuer's name counts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pulumi_mta_sts.net.lookup import Asker, Lookup, Outcome, lookup
from pulumi_mta_sts.net.tlsinfo import CertInfo

from .model import CheckResult, failed, passed, skipped, warned

#: Substring of the issuer organisation (lowercase) → the CAA domains that CA honours.
KNOWN_CAS: dict[str, tuple[str, ...]] = {
    "let's encrypt": ("letsencrypt.org",),
    "isrg": ("letsencrypt.org",),
    "amazon": ("amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"),
    "google trust services": ("pki.goog", "google.com"),
    "digicert": ("digicert.com", "symantec.com", "geotrust.com", "rapidssl.com", "thawte.com"),
    "cloudflare": ("digicert.com",),
    "microsoft": ("microsoft.com", "digicert.com"),
    "sectigo": ("sectigo.com", "comodoca.com", "comodo.com", "usertrust.com", "trust-provider.com"),
    "comodo": ("sectigo.com", "comodoca.com", "comodo.com", "usertrust.com", "trust-provider.com"),
    "zerossl": ("sectigo.com", "zerossl.com"),
    "globalsign": ("globalsign.com",),
    "ssl corporation": ("ssl.com",),
    "ssl.com": ("ssl.com",),
    "entrust": ("entrust.net",),
    "godaddy": ("godaddy.com", "starfieldtech.com"),
    "starfield": ("starfieldtech.com", "godaddy.com"),
    "buypass": ("buypass.com", "buypass.no"),
    "certum": ("certum.pl", "certum.eu"),
    "asseco": ("certum.pl", "certum.eu"),
}


@dataclass(frozen=True)
class CaaSet:
    """The relevant CAA records: where they were found and their ``issue`` domains."""

    owner: str | None
    issue: tuple[str, ...] = ()
    has_issue: bool = False  # False: no issue property at all (any CA may issue)
    problem: Lookup | None = None


def find_caa(resolver: Asker, host: str) -> CaaSet:
    """The CAA set relevant for a certificate for ``host``."""
    labels = host.rstrip(".").lower().split(".")
    for start in range(len(labels) - 1):
        name = ".".join(labels[start:])
        found = lookup(resolver, name, "CAA")
        if found.failed:
            return CaaSet(None, problem=found)
        if found.outcome is Outcome.OK:
            issue = [r for r in found.records if r.tag.decode("ascii", "replace").lower() == "issue"]
            domains = tuple(
                d for d in (r.value.decode("utf-8", "replace").split(";")[0].strip().lower() for r in issue) if d
            )
            return CaaSet(name, domains, bool(issue))
    return CaaSet(None)


def issuer_caa_domains(cert: CertInfo) -> tuple[str, ...]:
    """The CAA domains of the certificate's issuer according to :data:`KNOWN_CAS`."""
    text = f"{cert.issuer_organization} {cert.issuer_common_name}".lower()
    out: list[str] = []
    for key, domains in KNOWN_CAS.items():
        if key in text:
            out.extend(d for d in domains if d not in out)
    return tuple(out)


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def check_caa(caa: CaaSet, cert: CertInfo | None, host: str) -> CheckResult:
    cid = "caa"
    if caa.problem is not None:
        return failed(cid, f"cannot read CAA: {caa.problem.describe_failure()}", "make the nameservers answer CAA")
    if caa.owner is None:
        return skipped(cid, f"no CAA records for {host} or its parents: any CA may issue")
    if not caa.has_issue:
        return passed(cid, f"CAA at {caa.owner} has no 'issue' property: any CA may issue for {host}")
    allowed = ", ".join(caa.issue) or "no CA (';')"
    if cert is None:
        return skipped(cid, f"CAA at {caa.owner} allows {allowed}; no verified certificate to compare")
    if not caa.issue:
        return failed(
            cid,
            f"CAA at {caa.owner} forbids every CA, but {host} has a certificate from {cert.issuer}",
            f"add '0 issue \"<your CA>\"' at {caa.owner} or renewals will fail",
        )
    known = issuer_caa_domains(cert)
    if any(d in caa.issue for d in known):
        return passed(cid, f"CAA at {caa.owner} allows {allowed}, which includes the issuer {cert.issuer}")
    org = _squash(cert.issuer_organization or cert.issuer_common_name)
    if org and any(_squash(d.split(".")[0]) and _squash(d.split(".")[0]) in org for d in caa.issue):
        return passed(cid, f"CAA at {caa.owner} allows {allowed}, which names the issuer {cert.issuer}")
    hint = f"add '0 issue \"{known[0]}\"' at {caa.owner}" if known else f"add the CAA domain of {cert.issuer}"
    if known:
        return failed(
            cid,
            f"CAA at {caa.owner} allows only {allowed}, but {host}'s certificate is from {cert.issuer} "
            f"({', '.join(known)}): renewals will fail",
            hint,
        )
    return warned(
        cid,
        f"CAA at {caa.owner} allows {allowed}; cannot tell whether that includes {cert.issuer}",
        hint + " if it is missing (see the CA's documentation for its CAA domain)",
    )

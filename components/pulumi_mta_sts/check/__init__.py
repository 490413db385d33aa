"""``mta-sts check``: verify a live domain the way a sending MTA would (RFC 8461, RFC 8460).

One module per concern: :mod:`.model` (results), :mod:`.dns_checks` (TXT and MX look-ups and
their verdicts), :mod:`.policy_checks` (the policy fetch, judged by
:mod:`pulumi_mta_sts.core.acceptance` like the deploy gate judges it, then content and id
consistency), :mod:`.smtp_tls` (STARTTLS probe),
:mod:`.caa` (CAA evaluation), :mod:`.runner` (all checks for many domains, concurrently) and
:mod:`.output` (table and JSON).
"""

from .model import CheckResult, DomainReport, Status
from .runner import CheckOptions, check_domain, check_domains

__all__ = ["CheckOptions", "CheckResult", "DomainReport", "Status", "check_domain", "check_domains"]

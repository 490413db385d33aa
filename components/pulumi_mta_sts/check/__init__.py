"""``mta-sts check``: verify a live domain the way a sending MTA would (RFC 8461, RFC 8460).

One module per concern: :mod:`.model` (results), :mod:`.dns_checks` (TXT, MX, CAA look-ups and
their verdicts), :mod:`.https_fetch` (the policy fetch, never following redirects),
:mod:`.policy_checks` (content and id consistency), :mod:`.smtp_tls` (STARTTLS probe),
:mod:`.caa` (CAA evaluation), :mod:`.runner` (all checks for many domains, concurrently) and
:mod:`.output` (table and JSON).
"""

from .model import CheckResult, DomainReport, Status
from .runner import CheckOptions, check_domain, check_domains

__all__ = ["CheckOptions", "CheckResult", "DomainReport", "Status", "check_domain", "check_domains"]

"""``mta-sts check``: a live domain checked as a sending MTA would (RFC 8461, RFC 8460), one module
per concern, the runner checking many domains concurrently."""

from .model import CheckResult, DomainReport, Status
from .runner import CheckOptions, check_domain, check_domains

__all__ = ["CheckOptions", "CheckResult", "DomainReport", "Status", "check_domain", "check_domains"]

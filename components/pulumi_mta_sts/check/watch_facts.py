"""What a sender saw of one domain, as data rather than the one-line rows of ``check``: for callers that
compare it with what a stack declares (``mta-sts watch``). The runner fills it; nothing here looks up."""

from __future__ import annotations

from dataclasses import dataclass

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import StsRecord, TlsRptRecord
from pulumi_mta_sts.net.lookup import MailHosts
from pulumi_mta_sts.net.tlsinfo import CertInfo as CertInfo  # check.model's, from one import


@dataclass(frozen=True)
class DomainFacts:
    """``policy``: the served policy when senders accept it; ``policy_certificate``: the policy host's
    verified certificate. Each MX host's certificate is on its ``starttls:<mx>`` result."""

    mail: MailHosts
    policy: Policy | None
    sts_record: StsRecord | None
    tlsrpt_record: TlsRptRecord | None
    policy_certificate: CertInfo | None

"""Every default and fixed choice of the toolkit, defined once: library users and stack files get
the same deployment because both read them here."""

from __future__ import annotations

from typing import Final

# ---- the policy ----------------------------------------------------------------------------------
#: A new domain starts by watching reports, not by refusing mail.
DEFAULT_MODE: Final = "testing"
#: Some senders only send reports when max_age is over one day.
DEFAULT_MAX_AGE: Final = 86_401

# ---- DNS -----------------------------------------------------------------------------------------
DNS_PROVIDERS: Final = ("route53", "cloudflare")
DNS_TTL: Final = 300
#: Seconds each live DNS query may take, its servers' tries included (also the whole probe that
#: finds DNS unreachable): a working resolver answers well under a second; checkdmarc waits 2 s.
DNS_TIMEOUT: Final = 3.0

# ---- the policy host -----------------------------------------------------------------------------
HOST_KINDS: Final = ("cloudfront", "worker")
#: The host each DNS provider gets unless one is chosen: a Worker needs Cloudflare DNS, and on
#: Cloudflare it is one script instead of a bucket, a certificate and a distribution.
DEFAULT_HOST_KIND: Final = {"route53": "cloudfront", "cloudflare": "worker"}
#: CloudFront's cheapest price class: the policy is a few hundred bytes fetched about daily per sender.
PRICE_CLASS: Final = "PriceClass_100"
#: The ``aws:region`` ``mta-sts init`` writes into a stack with AWS resources.
INIT_AWS_REGION: Final = "us-east-1"


def default_host_kind(dns_provider: str) -> str:
    """The host kind used for ``dns_provider`` when none is chosen (``cloudfront`` for unknown ones)."""
    return DEFAULT_HOST_KIND.get(dns_provider, "cloudfront")


# ---- shared hosting of a fleet (hosting/shared_*.py, core/shards.py) ------------------------------
#: Host names per ACM certificate (one shared distribution): ACM's default quota, and raised.
DOMAINS_PER_CERTIFICATE: Final = 10
DOMAINS_PER_CERTIFICATE_MAX: Final = 100
#: Shard numbers a pin may use: far above CloudFront's 200 distributions, a bound for hostile input.
SHARD_LIMIT: Final = 1000
#: Distributions one CloudFront Function may be associated with (AWS's default quota, adjustable;
#: AWS General Reference, "Amazon CloudFront endpoints and quotas"): core/shards.py blocks by it.
FUNCTION_DISTRIBUTION_LIMIT: Final = 100
#: How the shared CloudFront host writes its KeyValueStore (docs/fleets.md, "The store's keys").
#: ``migrating`` also declares earlier versions' per-key resources with ``retainOnDelete``: the
#: one layout safe for every stack whatever its state holds (a program cannot see its state).
STORE_KEYS_LAYOUTS: Final = ("migrating", "exclusive")
STORE_KEYS: Final = "migrating"


# ---- waiting until the new policy is served (PolicyLive) ------------------------------------------
#: Seconds ``PolicyLive`` keeps trying before the deploy fails, and the values it may take.
VERIFY_TIMEOUT: Final = 600
VERIFY_TIMEOUT_RANGE: Final = (10, 3600)
#: Seconds before the first retry, and the cap of the exponential back-off.
VERIFY_INITIAL_DELAY: Final = 2.0
VERIFY_MAX_DELAY: Final = 30.0
HTTPS_REQUEST_TIMEOUT: Final = 10.0

# ---- the TLS-RPT receiver ------------------------------------------------------------------------
RECEIVER_REGION: Final = "us-east-1"
RECEIVER_SUBDOMAIN_LABEL: Final = "tlsrpt"
RECEIVER_MAILBOX: Final = "reports"
RECEIVER_RULE_SET: Final = "mta-sts-tlsrpt"
RECEIVER_FAILED_SESSIONS_THRESHOLD: Final = 1
RECEIVER_SILENCE_DAYS: Final = 3
#: CloudWatch evaluates at most 7 days of daily periods.
RECEIVER_MAX_SILENCE_DAYS: Final = 7
RECEIVER_RAW_RETENTION_DAYS: Final = 365
RECEIVER_QUARANTINE_RETENTION_DAYS: Final = 90
RECEIVER_MAX_BODY_BYTES: Final = 1024 * 1024
#: A Lambda request payload is at most 6 MB, base64 included.
RECEIVER_MAX_BODY_BYTES_LIMIT: Final = 4 * 1024 * 1024
#: Requests a second the public HTTPS endpoint passes on to the function, and its burst: anyone
#: can POST to it, so this is what bounds the function's concurrency and the owner's bill.
RECEIVER_HTTPS_RATE_LIMIT: Final = 1
RECEIVER_HTTPS_BURST_LIMIT: Final = 5
RECEIVER_HTTPS_RATE_LIMIT_MAX: Final = 10_000
RECEIVER_HTTPS_BURST_LIMIT_MAX: Final = 5_000
RECEIVER_RESERVED_CONCURRENCY_MAX: Final = 1_000
RECEIVER_ANALYTICS: Final = True
RECEIVER_DIGEST_DAY: Final = "monday"
RECEIVER_DIGEST_DAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "off")
#: ``pulumi destroy`` keeps the reports bucket unless turned on: reports are data.
RECEIVER_FORCE_DESTROY: Final = False
LOG_RETENTION_DAYS: Final = 90
#: How long a report that failed every retry stays in the dead-letter queue (the SQS maximum).
DLQ_RETENTION_SECONDS: Final = 14 * 24 * 3600

# ---- readiness for enforce (``mta-sts reports ready`` and the weekly digest) ----------------------
#: Days looked at, and organisations that must report on each of them.
READINESS_DAYS: Final = 14
READINESS_MIN_ORGS: Final = 2

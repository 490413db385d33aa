"""DNS backends (Pulumi): where a stack's records go. :class:`DnsBackend` is the interface
(:mod:`.base`); Route53 (:mod:`.route53`) and Cloudflare (:mod:`.cloudflare`) implement it.
Import them from here (the modules inside may move)."""

from .base import DnsBackend, RecordImport
from .cloudflare import CloudflareDns, CloudflareDnsArgs
from .route53 import Route53Dns, Route53DnsArgs

__all__ = ["CloudflareDns", "CloudflareDnsArgs", "DnsBackend", "RecordImport", "Route53Dns", "Route53DnsArgs"]

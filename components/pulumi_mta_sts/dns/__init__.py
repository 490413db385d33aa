"""DNS backends (Pulumi): where a stack's records go; import them from here."""

from .base import DnsBackend, RecordImport
from .cloudflare import CloudflareDns, CloudflareDnsArgs
from .route53 import Route53Dns, Route53DnsArgs

__all__ = ["CloudflareDns", "CloudflareDnsArgs", "DnsBackend", "RecordImport", "Route53Dns", "Route53DnsArgs"]

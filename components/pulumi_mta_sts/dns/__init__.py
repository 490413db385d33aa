"""DNS backends (Pulumi): where a stack's records go. :class:`DnsBackend` is the interface;
Route53 and Cloudflare implement it. Import them from here (the modules inside may move)."""

from .backends import CloudflareDns, CloudflareDnsArgs, DnsBackend, Route53Dns, Route53DnsArgs

__all__ = ["CloudflareDns", "CloudflareDnsArgs", "DnsBackend", "Route53Dns", "Route53DnsArgs"]

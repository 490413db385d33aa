"""DNS backends (Pulumi): where a stack's records go. :class:`~.backends.DnsBackend` is the
interface; Route53 and Cloudflare implement it."""

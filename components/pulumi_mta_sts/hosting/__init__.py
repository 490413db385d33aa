"""Policy hosts (Pulumi): who serves ``https://mta-sts.<domain>/.well-known/mta-sts.txt``.
:class:`~.base.PolicyHost` is the interface; S3 + CloudFront + ACM and a Cloudflare Worker
implement it, each with the code it runs at the edge."""

"""pulumi-mta-sts: MTA-STS (RFC 8461) and SMTP TLS Reporting (RFC 8460) for a mail domain.

The pure parts (``policy``, ``records``, ``matching``, ``hostnames``, ``config``, ``reports``)
never import Pulumi, so the CLI and the report-parsing Lambda stay light. The Pulumi
components live in their own modules and import Pulumi only when they are imported.
"""

__version__ = "0.1.0"

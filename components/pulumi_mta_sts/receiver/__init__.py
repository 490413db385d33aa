"""The TLS-RPT receiver (:mod:`.component`); :mod:`.archive` imports without ``pulumi_aws``."""

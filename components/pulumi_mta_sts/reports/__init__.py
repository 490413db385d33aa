"""TLS-RPT (RFC 8460) report parsing, standard library only: the receiver Lambda ships it."""

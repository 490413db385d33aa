"""Live I/O without Pulumi: DNS look-ups, the one HTTPS policy fetch, waiting until a policy is served."""

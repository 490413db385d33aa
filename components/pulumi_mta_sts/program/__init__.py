"""The stack program's pipeline (``stacks/__main__.py``): load config → preflight → build →
export, with the optional parts (the TLS-RPT receiver) plugged in one place."""

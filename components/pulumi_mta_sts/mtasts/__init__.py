"""``MtaSts``: the composite for one mail domain, and ``PolicyLive``, the dynamic resource that
holds the new id back until its body is served."""

from .component import MtaSts, MtaStsArgs

__all__ = ["MtaSts", "MtaStsArgs"]

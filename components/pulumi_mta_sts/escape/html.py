"""HTML text and attribute values (``mta-sts reports html``): what a report says can neither close its
element, reorder the text around it, nor make the page huge.
"""

from __future__ import annotations

import html as _html

from .visible import shown as _shown

DASH = "–"


def text(value: object, limit: int) -> str:
    """Any value, :func:`~.visible.shown` and bounded, as HTML text or a double-quoted attribute value."""
    return _html.escape(_shown(DASH if value is None else str(value), limit), quote=True)

"""HTML text and attribute values (``mta-sts reports html``): what a report says can neither close
its element, reorder the text around it, nor make the page huge: :func:`shown_text` marks what
would act (:mod:`.visible`) and bounds the length; :func:`text` also escapes ``&<>"'``, safe as
element text and as a double-quoted attribute value.
"""

from __future__ import annotations

import html as _html

from .visible import shown as _shown

#: How a missing value (``None``) is shown.
DASH = "–"


def shown_text(text: str, limit: int) -> str:
    """``text`` with what is not printable as ``⟨U+XXXX⟩``, cut to ``limit`` with an ellipsis."""
    return _shown(text, limit)


def text(value: object, limit: int) -> str:
    """Any value, as HTML text or a double-quoted attribute value (``None`` as a dash)."""
    return _html.escape(_shown(DASH if value is None else str(value), limit), quote=True)

"""One escaping module per output format, for everything a stranger wrote (reports, live DNS,
served policies, preview files): data, never markup or terminal control. :mod:`.terminal`,
:mod:`.markdown` (and cutting a comment to GitHub's size without losing a safety note),
:mod:`.csv`, :mod:`.html`; all show a character that would act as ``⟨U+XXXX⟩`` (:mod:`.visible`).
Standard library only and nothing else of ours: the receiver's Lambda ships it, every layer uses it.
"""

"""One escaping rule per output format, for everything a stranger wrote.

What senders' reports, live DNS, served policies and preview files say is data, never markup or
terminal control. Every renderer writes such a value through the module of its output format,
and through nothing else:

- :mod:`.terminal`: plain text for a terminal, a log or a plain-text e-mail (and what ``rich``
  renders), and JSON printed to one;
- :mod:`.markdown`: GitHub-flavoured Markdown (pull-request comments, ``--format markdown``),
  and cutting a comment to GitHub's size limit without losing a safety note;
- :mod:`.csv`: spreadsheet cells that cannot become formulas;
- :mod:`.html`: text and attribute values of the HTML report.

All of them show a character that would act instead of show (control, format, separator, ...)
in one visible form, ``⟨U+XXXX⟩`` (:mod:`.visible`). Standard library only, importing nothing
else of the package: the receiver's Lambda ships it, and every layer may use it.
"""

"""One model of a change (:mod:`.model`), built by ``mta-sts plan`` from live DNS and by
``mta-sts preview-diff`` from a ``pulumi preview --json``, and its renderers: :mod:`.text` and
:mod:`.comment` (Markdown). The core and ``escape/`` only: it runs in the base install."""

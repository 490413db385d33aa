"""One model of a change (:mod:`.model`), built by ``mta-sts plan`` (from live DNS) and ``mta-sts
preview-diff`` (from ``pulumi preview --json``), and its renderers :mod:`.text` and :mod:`.comment`."""

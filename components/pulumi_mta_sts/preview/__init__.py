"""``mta-sts preview-diff``: a real ``pulumi preview --json`` read (:mod:`.document`), turned into a
change (:mod:`.changes`) and shown (:mod:`.output`). No Pulumi: it runs in the base install."""

"""``mta-sts plan``: the stack program under Pulumi's mock engine (:mod:`.engine`, :mod:`.cloud`),
compared with live DNS (:mod:`.live_diff`) and shown (:mod:`.output`)."""

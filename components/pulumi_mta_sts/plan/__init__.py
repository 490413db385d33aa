"""``mta-sts plan``: the stack program under Pulumi's mock engine (:mod:`.engine`), with the
mock cloud's answers, and the plan rendered for people and scripts (:mod:`.stack_plan`)."""

"""Live I/O without Pulumi: DNS look-ups (:mod:`.resolver`, :mod:`.lookup`), the one HTTPS
policy fetch (:mod:`.https_fetch`, judged by :mod:`pulumi_mta_sts.core.acceptance`), waiting
until a policy is served (:mod:`.served`) and the look-up of records a stack does not manage
(:mod:`.existing_records`).
"""

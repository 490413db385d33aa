"""The stack program: MTA-STS + TLS-RPT for one mail domain (``stacks/Pulumi.<stack>.yaml``).

Run by ``pulumi up`` / ``pulumi preview``, and by ``mta-sts plan --stack NAME`` under Pulumi's
mock engine. It is the list of steps a deployment goes through; each one lives in
``pulumi_mta_sts.program.pipeline``.
"""

from pulumi_mta_sts.program import pipeline as stack

with stack.user_errors():  # user mistakes end the program with their message, no traceback
    # 1. How this run may reach the outside world: the flags of `mta-sts plan`, or under
    #    `pulumi up` the switches MTA_STS_NO_LIVE_DNS=1 and MTA_STS_NAMESERVERS=HOST[:PORT].
    options = stack.program_options()

    # 2. Config: every mta-sts: key validated; errors stop here, before any resource exists.
    cfg = stack.load_config()

    # 3. The optional parts the config turns on: the TLS-RPT receiver (mta-sts:reporting.receiver).
    parts = stack.enabled_parts(cfg)

    # 4. Preflight on live DNS, before any resource: with mode enforce, a live MX host the policy
    #    does not cover stops here (mta-sts:preflight.mx_coverage: false only warns).
    live = stack.open_live_dns(options)
    stack.preflight(cfg, live)

    # 5. The resources: MtaSts for the domain, then each part on top of it (the receiver also
    #    publishes the _smtp._tls record, with its own mailto:/https: rua added).
    deployment = stack.build(cfg, parts)

    # 6. Live DNS: warn about hand-made _mta-sts / _smtp._tls records the stack would not own.
    stack.warn_unmanaged_records(deployment, live)

    # 7. The stack outputs.
    stack.export(deployment)

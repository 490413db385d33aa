"""The stack program: MTA-STS + TLS-RPT for one mail domain (``stacks/Pulumi.<stack>.yaml``).

Run by ``pulumi up`` / ``pulumi preview``, and by ``mta-sts plan --stack NAME`` under Pulumi's
mock engine. Keep it a list of steps; the work lives in ``pulumi_mta_sts.program.pipeline``.
"""

import pulumi

from pulumi_mta_sts.program import pipeline as stack
from pulumi_mta_sts.program.preflight import run_preflight
from pulumi_mta_sts.program.receiver import add_receiver

with stack.user_errors():  # user mistakes end the program with their message, no traceback
    # 1. Config: every mta-sts: key validated; errors stop here, before any resource exists.
    cfg = stack.load_config()

    # 2. Preflight checks that must pass before any resource is registered (go here).
    # enforce: live MX hosts not covered by the policy stop here (mta-sts:preflight.mx_coverage).
    for warning in run_preflight(cfg):
        pulumi.log.warn(warning)

    # 3. The resources of the domain.
    mtasts = stack.run(cfg)

    # 4. Optional parts that build on it: the TLS-RPT receiver (mta-sts:reporting.receiver), which
    #    also publishes the _smtp._tls record with its own mailto:/https: rua added.
    receiver = add_receiver(cfg, mtasts)

    # 5. The stack outputs.
    stack.export(mtasts, receiver)

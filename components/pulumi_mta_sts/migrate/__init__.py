"""``mta-sts migrate``: a mail-provider change in the order senders need (widen, wait, switch, narrow),
told from live DNS and the stack file; the stack-file change for the current step, written with
:mod:`pulumi_mta_sts.config.stack_edit`'s rules. Above ``check`` and beside ``watch``: it may use every
layer below, and ``cli/migrate.py`` is its only caller."""

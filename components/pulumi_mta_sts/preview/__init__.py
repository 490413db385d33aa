"""``mta-sts preview-diff``: what a real ``pulumi preview --json`` means for senders.

:mod:`.digest` reads the document the Pulumi CLI prints (exactly as its source writes it),
:mod:`.changes` picks out the DNS records, the policy and the safety notes
(:func:`pulumi_mta_sts.core.policy_change.safety_notes`, shared with ``mta-sts plan``), and
:mod:`.render` writes them as Markdown for a pull-request comment, as text, or as JSON.

Beside ``plan`` and ``check``: it imports ``core`` and ``config`` only, never Pulumi, so it runs in
the base install (a CI job that only has the preview's JSON needs no SDK).
"""

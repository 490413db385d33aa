"""The stack program's steps (:func:`.pipeline.main` runs them; `stacks/__main__.py` calls it):
options → config → preflight → build → live checks → export, with the optional parts (the
TLS-RPT receiver, :mod:`.receiver`) plugged in one place (:data:`.pipeline.PARTS`, :mod:`.part`).

:mod:`.options` is how a run may reach the outside world (live DNS, passed as an argument by
``mta-sts plan``); :mod:`.sdk` is the one module that touches the Pulumi SDK's internals.
"""

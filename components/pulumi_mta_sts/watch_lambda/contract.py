"""What the scheduled watcher's component (``receiver/watch_schedule.py``) and its Lambda function agree
on, written once: the handler, the environment, where the state and the declared records live."""

from __future__ import annotations

from typing import Final

WATCH_HANDLER: Final = "pulumi_mta_sts.watch_lambda.handler.handler"
#: Everything the watcher writes or reads in its bucket is under this prefix (its grants name it).
WATCH_PREFIX: Final = "watch/"
#: The previous round's state (``mta-sts watch --state``'s file), one object.
STATE_KEY: Final = "watch/state.json"
#: What the stack declares for each domain, written by ``pulumi up`` (the round compares live DNS with it).
DECLARED_KEY: Final = "watch/declared.json"
#: Hours of the receiver's stored reports a round reads (the MX certificate results ``--no-smtp`` cannot see).
REPORT_HOURS: Final = 24


class WatchEnv:
    """Environment variable names of the watcher function."""

    BUCKET: Final = "WATCH_BUCKET"
    TOPIC_ARN: Final = "WATCH_TOPIC_ARN"
    #: Set when the stack has a TLS-RPT receiver: its bucket, whose ``reports/`` the round reads.
    REPORTS_BUCKET: Final = "WATCH_REPORTS_BUCKET"
    #: A name for the stack in the notifications' subject (the component's name).
    NAME: Final = "WATCH_NAME"

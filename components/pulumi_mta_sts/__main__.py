"""``python -m pulumi_mta_sts``: the ``mta-sts`` command, for when the script is not on ``PATH``."""

import sys

from .cli import main

sys.exit(main())

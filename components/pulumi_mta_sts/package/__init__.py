"""The ``mta-sts`` Pulumi component package (docs/packaging.md): ``provider/`` hosts
:data:`~.schema.COMPONENTS`, the Python components with plain, documented inputs, so ``pulumi package
add`` generates an SDK for every Pulumi language from the schema the analyzer infers.
"""

from .mtasts import MtaSts, MtaStsArgs
from .mtasts_fleet import MtaStsFleet, MtaStsFleetArgs
from .schema import COMPONENTS, PACKAGE_NAME, PACKAGE_VERSION, package_schema
from .tlsrpt_receiver import TlsRptReceiver, TlsRptReceiverArgs

__all__ = [
    "COMPONENTS",
    "PACKAGE_NAME",
    "PACKAGE_VERSION",
    "MtaSts",
    "MtaStsArgs",
    "MtaStsFleet",
    "MtaStsFleetArgs",
    "TlsRptReceiver",
    "TlsRptReceiverArgs",
    "package_schema",
]

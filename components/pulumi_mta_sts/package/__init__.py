"""The ``mta-sts`` Pulumi component package: the components every Pulumi language can use.

``provider/`` (``PulumiPlugin.yaml`` + ``__main__.py``) hosts :data:`~.schema.COMPONENTS` with
``pulumi.provider.experimental.component_provider_host`` under :data:`~.schema.PACKAGE_NAME`, so
``pulumi package add`` generates an SDK for TypeScript, Go, C#, Java or YAML from the schema
Pulumi's analyzer infers from the classes here (``mta-sts schema`` prints it). Each hosted class
is the Python component with plain, documented inputs (:mod:`.mtasts`, :mod:`.tlsrpt_receiver`,
:mod:`.mtasts_fleet`); the schema's enums and objects are in :mod:`.types`. See docs/packaging.md.
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

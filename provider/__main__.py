"""The mta-sts component provider: hosts the package's components for every Pulumi language.

Pulumi starts this file (``PulumiPlugin.yaml``: ``runtime: python``) when a program that added the
package (``pulumi package add <repo>/provider@<tag>``, docs/packaging.md) creates
``mta-sts:index:MtaSts``, ``mta-sts:index:TlsRptReceiver`` or ``mta-sts:index:MtaStsFleet``, and to
read the package schema.
``component_provider_host`` (pulumi.provider.experimental) infers the schema from the components'
type hints (``mta-sts schema`` prints the same) and serves them.
"""

from pulumi.provider.experimental import component_provider_host

from pulumi_mta_sts.package import COMPONENTS, PACKAGE_NAME, PACKAGE_VERSION

if __name__ == "__main__":  # the version: the installed package's (its git tag), as the semver Pulumi requires
    component_provider_host(COMPONENTS, PACKAGE_NAME, version=PACKAGE_VERSION)

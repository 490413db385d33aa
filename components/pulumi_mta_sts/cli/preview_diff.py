"""``mta-sts preview-diff PREVIEW.json``: what a real ``pulumi preview --json`` changes in DNS and in
the policy, and what that means for senders. Base install: no Pulumi SDK. Exit 0 rendered; 1
rendered, but the preview failed; 2 the file is not a readable preview.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.net.lookup import mail_hosts
from pulumi_mta_sts.net.resolver import live_dns_enabled, make_resolver
from pulumi_mta_sts.preview.changes import mail_domain, summarise
from pulumi_mta_sts.preview.document import PreviewDigest, PreviewError, read_preview
from pulumi_mta_sts.preview.output import RENDERERS
from pulumi_mta_sts.program.options import check_nameservers

from .argtypes import add_command, add_flag

EXIT_OK = 0
EXIT_PREVIEW_FAILED = 1


def register(sub: Any) -> None:
    helps = "summarise a `pulumi preview --json` for review: DNS records, policy diff, safety notes"
    description = (
        "Read the JSON `pulumi preview --json` prints and show every DNS record it changes (old -> new), "
        "the policy diff and id roll, what that means for senders, and a count of the other changes."
    )
    parser = add_command(sub, "preview-diff", run, helps, description)
    parser.add_argument(
        "preview", metavar="PREVIEW.json", type=Path, help="the saved output of `pulumi preview --json`"
    )
    formats = "markdown (a pull-request comment, the default), text or json"
    add_flag(parser, "format", formats, choices=tuple(RENDERERS), default="markdown")
    mx = "an MX host the domain has today (repeatable): the safety notes then check the new policy covers it"
    parser.add_argument("--mx", metavar="HOST", action="append", help=mx)
    live = "look up the domain's MX hosts today (unless MTA_STS_NO_LIVE_DNS is set), for the coverage notes"
    parser.add_argument("--live-dns", action="store_true", help=live)
    add_flag(parser, "nameserver", "ask this DNS server for the MX hosts (repeatable; implies --live-dns)")


def _live_mx(hosts: list[str] | None) -> list[str] | None:
    if hosts is None:
        return None
    normal: list[str] = []
    problems: list[Problem] = []
    for host in hosts:
        name, found = normalize_hostname(host, "--mx")
        problems += found
        if name is not None:
            normal.append(name)
    if problems:
        raise InputError(problems)
    return normal


def _looked_up_mx(digest: PreviewDigest, nameservers: Sequence[str] | None) -> list[str] | None:
    """The MX hosts of the preview's domain as DNS answers today (``None``: unknown)."""
    domain = mail_domain(digest)
    if domain is None or not live_dns_enabled():
        return None
    found = mail_hosts(make_resolver(nameservers), domain)
    if found.problem is not None:
        return None
    return list(found.hosts)


def run(args: argparse.Namespace) -> int:
    live_mx = _live_mx(args.mx)
    nameservers = check_nameservers(args.nameserver, "--nameserver") if args.nameserver else None
    try:
        digest = read_preview(args.preview)
    except PreviewError as exc:
        raise InputError([Problem(str(args.preview), None, str(exc))]) from None
    if live_mx is None and (args.live_dns or nameservers):
        live_mx = _looked_up_mx(digest, nameservers)
    summary = summarise(digest, live_mx)
    sys.stdout.write(RENDERERS[args.format](summary))
    return EXIT_PREVIEW_FAILED if summary.failed else EXIT_OK

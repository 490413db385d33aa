"""The DNS records a provider's record resource writes, as readers see them, for ``plan`` and
``preview-diff``; the properties may come from a user's file, so any shape is tolerated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .txt_values import decode_txt

ROUTE53_RECORD: Final = "aws:route53/record:Record"
CLOUDFLARE_RECORD: Final = "cloudflare:index/dnsRecord:DnsRecord"
#: pulumi-cloudflare 5 and earlier (stacks made before the toolkit moved to 6).
CLOUDFLARE_RECORD_V5: Final = "cloudflare:index/record:Record"
#: A Worker on a custom domain: Cloudflare makes the host's DNS record itself.
WORKER_DOMAIN: Final = "cloudflare:index/workersCustomDomain:WorkersCustomDomain"
RECORD_TYPE_TOKENS: Final = (ROUTE53_RECORD, CLOUDFLARE_RECORD, CLOUDFLARE_RECORD_V5, WORKER_DOMAIN)


def _text(value: object) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _items(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _route53(props: Mapping[str, Any]) -> list[dict[str, str]]:
    name, rtype = _text(props.get("name")), _text(props.get("type"))
    aliases = _items(props.get("aliases"))
    if aliases:
        values = [
            f"ALIAS {a.get('name')} (zone {a.get('zoneId')})" if isinstance(a, Mapping) else _text(a) for a in aliases
        ]
    else:
        values = [decode_txt(_text(v)) if rtype == "TXT" else _text(v) for v in _items(props.get("records"))]
    return [{"name": name, "type": rtype, "value": value} for value in values]


def _cloudflare(props: Mapping[str, Any]) -> list[dict[str, str]]:
    name, rtype = _text(props.get("name")), _text(props.get("type"))
    content = _text(props.get("content") if props.get("content") is not None else props.get("value"))
    priority = props.get("priority")
    if rtype == "TXT":
        content = decode_txt(content)
    elif rtype == "MX" and isinstance(priority, int | float) and not isinstance(priority, bool):
        content = f"{int(priority)} {content}"
    suffix = " (proxied)" if props.get("proxied") is True else ""
    return [{"name": name, "type": rtype, "value": content + suffix}]


def record_rows(type_token: str, props: Mapping[str, Any]) -> list[dict[str, str]]:
    """The records (``name``, ``type``, ``value``) a resource writes; ``[]`` for other types."""
    if type_token == ROUTE53_RECORD:
        return _route53(props)
    if type_token in (CLOUDFLARE_RECORD, CLOUDFLARE_RECORD_V5):
        return _cloudflare(props)
    if type_token == WORKER_DOMAIN:
        host = _text(props.get("hostname"))
        return [{"name": host, "type": "WORKER", "value": f"Worker {props.get('service')} (record made by Cloudflare)"}]
    return []

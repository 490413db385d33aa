"""The CloudFront Function (viewer request) of the CloudFront policy host (pure).

CloudFront serves only what the bucket policy lets it read: the policy object and the text of
the 404 page. Every request for another path is rewritten to a key that does not exist, so S3
answers 403 and the distribution turns that into ``404`` with :data:`NOT_FOUND_KEY` as body.
The rewrite also covers a direct request for the 404 page itself, so every path other than
the policy is answered ``404``. Query strings are dropped: the policy has none.
"""

from __future__ import annotations

import json

from pulumi_mta_sts.core.acceptance import WELL_KNOWN_PATH

__all__ = ["MISSING_PATH", "NOT_FOUND_KEY", "POLICY_KEY", "RUNTIME", "viewer_request_code"]

RUNTIME = "cloudfront-js-2.0"
#: S3 key of the policy (no leading slash).
POLICY_KEY = WELL_KNOWN_PATH.lstrip("/")
#: S3 key of the body of every 404 answer.
NOT_FOUND_KEY = "errors/not-found.txt"
#: Where every other request is sent: a key that never exists.
MISSING_PATH = "/errors/no-such-object"


def viewer_request_code() -> str:
    """The function's JavaScript (``cloudfront-js-2.0``)."""
    return f"""// pulumi-mta-sts: only the MTA-STS policy is served; everything else becomes a 404.
function handler(event) {{
  var request = event.request;
  if (request.uri !== {json.dumps(WELL_KNOWN_PATH)}) {{
    request.uri = {json.dumps(MISSING_PATH)};
  }}
  request.querystring = {{}};
  return request;
}}
"""

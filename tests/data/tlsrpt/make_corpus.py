"""Writes the TLS-RPT test corpus: inputs and, beside each, the expected normalised output.

Run once (``python tests/data/tlsrpt/make_corpus.py``); the written files are committed. The
expected outputs below are written by hand from RFC 8460 and the tolerance rules of the
receiver, never computed by the parser under test.
"""

from __future__ import annotations

import copy
import gzip
import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
MTIME = 1700000000  # fixed gzip header time: files are byte-for-byte reproducible

POLICY_LINES = ["version: STSv1", "mode: testing", "mx: mx1.example.com", "mx: *.mail.example.com", "max_age: 86401"]
#: The ``mx:`` values of POLICY_LINES, written out by hand: what ``mx_hosts`` holds when a report
#: has no ``mx-host`` (RFC 8460 §4.3 "the pattern of MX hostnames from the applied policy").
POLICY_MX = ["mx1.example.com", "*.mail.example.com"]


def rfc_report() -> dict[str, Any]:
    """Close to the RFC 8460 appendix B example."""
    return {
        "organization-name": "Company-X",
        "date-range": {"start-datetime": "2016-04-01T00:00:00Z", "end-datetime": "2016-04-01T23:59:59Z"},
        "contact-info": "sts-reporting@company-x.example",
        "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
        "policies": [
            {
                "policy": {
                    "policy-type": "sts",
                    "policy-string": [
                        "version: STSv1",
                        "mode: testing",
                        "mx: *.mail.company-y.example",
                        "max_age: 86400",
                    ],
                    "policy-domain": "company-y.example",
                    "mx-host": ["*.mail.company-y.example"],
                },
                "summary": {"total-successful-session-count": 5326, "total-failure-session-count": 303},
                "failure-details": [
                    {
                        "result-type": "certificate-expired",
                        "sending-mta-ip": "2001:db8:abcd:0012::1",
                        "receiving-mx-hostname": "mx1.mail.company-y.example",
                        "failed-session-count": 100,
                    },
                    {
                        "result-type": "starttls-not-supported",
                        "sending-mta-ip": "2001:db8:abcd:0013::1",
                        "receiving-mx-hostname": "mx2.mail.company-y.example",
                        "receiving-ip": "203.0.113.56",
                        "failed-session-count": 200,
                        "additional-information": "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported",
                    },
                    {
                        "result-type": "validation-failure",
                        "sending-mta-ip": "198.51.100.62",
                        "receiving-ip": "203.0.113.58",
                        "receiving-mx-hostname": "mx-backup.mail.company-y.example",
                        "failed-session-count": 3,
                        "failure-reason-code": "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED",
                    },
                ],
            }
        ],
    }


def detail(result_type: str, count: int, extra: dict[str, Any] | None = None, **fields: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "result_type": result_type,
        "failed_session_count": count,
        "sending_mta_ip": None,
        "receiving_mx_hostname": None,
        "receiving_mx_helo": None,
        "receiving_ip": None,
        "additional_information": None,
        "failure_reason_code": None,
    }
    out.update(fields)
    out["extra"] = extra or None
    return out


def rfc_expected() -> dict[str, Any]:
    return {
        "organization_name": "Company-X",
        "report_id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
        "contact_info": "sts-reporting@company-x.example",
        "start": "2016-04-01T00:00:00Z",
        "end": "2016-04-01T23:59:59Z",
        "policies": [
            {
                "policy_type": "sts",
                "policy_domain": "company-y.example",
                "policy_strings": ["version: STSv1", "mode: testing", "mx: *.mail.company-y.example", "max_age: 86400"],
                "mx_hosts": ["*.mail.company-y.example"],
                "mx_hosts_source": "mx-host",
                "successful": 5326,
                "failed": 303,
                "failure_details": [
                    detail(
                        "certificate-expired",
                        100,
                        sending_mta_ip="2001:db8:abcd:0012::1",
                        receiving_mx_hostname="mx1.mail.company-y.example",
                    ),
                    detail(
                        "starttls-not-supported",
                        200,
                        sending_mta_ip="2001:db8:abcd:0013::1",
                        receiving_mx_hostname="mx2.mail.company-y.example",
                        receiving_ip="203.0.113.56",
                        additional_information="https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported",
                    ),
                    detail(
                        "validation-failure",
                        3,
                        sending_mta_ip="198.51.100.62",
                        receiving_ip="203.0.113.58",
                        receiving_mx_hostname="mx-backup.mail.company-y.example",
                        failure_reason_code="X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED",
                    ),
                ],
                "extra": None,
            }
        ],
        "extra": None,
        "warnings": [],
    }


def provider_report(org: str, report_id: str | int, domain: str, ok: Any, failed: Any, **policy: Any) -> dict[str, Any]:
    pol: dict[str, Any] = {"policy-type": "sts", "policy-string": POLICY_LINES, "policy-domain": domain}
    pol.update(policy)
    return {
        "organization-name": org,
        "date-range": {"start-datetime": "2024-03-01T00:00:00Z", "end-datetime": "2024-03-01T23:59:59Z"},
        "contact-info": f"smtp-tls-reporting@{org.lower().split()[0]}.example",
        "report-id": report_id,
        "policies": [
            {"policy": pol, "summary": {"total-successful-session-count": ok, "total-failure-session-count": failed}}
        ],
    }


def provider_expected(
    org: str,
    report_id: str,
    domain: str,
    ok: int,
    failed: int,
    mx: list[str] | None = None,
    details: list[Any] | None = None,
) -> dict[str, Any]:
    """``mx``: the report's ``mx-host``; without it, the ``mx:`` lines of POLICY_LINES."""
    return {
        "organization_name": org,
        "report_id": report_id,
        "contact_info": f"smtp-tls-reporting@{org.lower().split()[0]}.example",
        "start": "2024-03-01T00:00:00Z",
        "end": "2024-03-01T23:59:59Z",
        "policies": [
            {
                "policy_type": "sts",
                "policy_domain": domain,
                "policy_strings": POLICY_LINES,
                "mx_hosts": mx or POLICY_MX,
                "mx_hosts_source": "mx-host" if mx else "policy-string",
                "successful": ok,
                "failed": failed,
                "failure_details": details or [],
                "extra": None,
            }
        ],
        "extra": None,
        "warnings": [],
    }


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=MTIME)


def dumps(doc: Any) -> bytes:
    return json.dumps(doc, indent=1).encode()


def email_with(parts: list[tuple[str, str, bytes]], subject: str = "Report Domain: example.com") -> bytes:
    msg = EmailMessage()
    msg["From"] = "noreply-smtp-tls-reporting@google.example"
    msg["To"] = "reports@tlsrpt.example.com"
    msg["Subject"] = subject
    msg["Date"] = "Fri, 01 Mar 2024 12:00:00 +0000"
    msg["Message-ID"] = "<fixed@google.example>"
    msg["TLS-Report-Domain"] = "example.com"
    msg["TLS-Report-Submitter"] = "google.example"
    msg.set_content("This is an aggregate TLS report.")
    for content_type, filename, data in parts:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    msg.replace_header("Content-Type", 'multipart/report; report-type="tlsrpt"')
    msg.set_boundary("=_tlsrpt_corpus_boundary")  # fixed: files are byte-for-byte reproducible
    return msg.as_bytes().replace(b"\n", b"\r\n")


CASES: list[tuple[str, bytes, dict[str, Any]]] = []


def case(name: str, data: bytes, reports: list[dict[str, Any]], failures: list[dict[str, str]] | None = None) -> None:
    CASES.append((name, data, {"reports": reports, "failures": failures or []}))


def build() -> None:
    # --- well-formed reports in several providers' styles -------------------------------
    case("rfc_example.json", dumps(rfc_report()), [rfc_expected()])
    case("rfc_example.json.gz", gz(dumps(rfc_report())), [rfc_expected()])
    g = provider_report(
        "Google Inc.",
        "2024-03-01T00:00:00Z_example.com",
        "example.com",
        1200,
        0,
        **{"mx-host": ["*.mail.example.com", "mx1.example.com"]},
    )
    case(
        "google_style.json.gz",
        gz(json.dumps(g).encode()),
        [
            provider_expected(
                "Google Inc.",
                "2024-03-01T00:00:00Z_example.com",
                "example.com",
                1200,
                0,
                ["*.mail.example.com", "mx1.example.com"],
            )
        ],
    )
    ms = provider_report(
        "Microsoft Corporation",
        "133540128000000000+example.com",
        "example.com",
        77,
        2,
        **{"mx-host": ["mx1.example.com"]},
    )
    ms["date-range"] = {
        "start-datetime": "2024-03-01T00:00:00.0000000Z",
        "end-datetime": "2024-03-01T23:59:59.9999999Z",
    }
    ms["policies"][0]["failure-details"] = [
        {
            "result-type": "certificate-host-mismatch",
            "sending-mta-ip": "40.92.0.1",
            "receiving-ip": "192.0.2.25",
            "receiving-mx-hostname": "mx1.example.com",
            "failed-session-count": 2,
        }
    ]
    exp = provider_expected(
        "Microsoft Corporation",
        "133540128000000000+example.com",
        "example.com",
        77,
        2,
        ["mx1.example.com"],
        [
            detail(
                "certificate-host-mismatch",
                2,
                sending_mta_ip="40.92.0.1",
                receiving_ip="192.0.2.25",
                receiving_mx_hostname="mx1.example.com",
            )
        ],
    )
    case("microsoft_style.json", dumps(ms), [exp])
    yh = provider_report("Yahoo", "1709251200.example.com", "example.com", 15, 0)
    case(
        "yahoo_style_no_mx.json",
        dumps(yh),
        [provider_expected("Yahoo", "1709251200.example.com", "example.com", 15, 0)],
    )
    # --- quirks real senders have ----------------------------------------------------------
    q = provider_report("Strings Mail", "strings-1", "example.com", "120", " 3 ")
    q["policies"][0]["failure-details"] = [{"result-type": "certificate-expired", "failed-session-count": "3"}]
    case(
        "counts_as_strings.json",
        dumps(q),
        [
            provider_expected(
                "Strings Mail", "strings-1", "example.com", 120, 3, None, [detail("certificate-expired", 3)]
            )
        ],
    )
    q = provider_report("Float Mail", "floats-1", "example.com", 120.0, 0.0)
    case("counts_as_whole_floats.json", dumps(q), [provider_expected("Float Mail", "floats-1", "example.com", 120, 0)])
    q = provider_report("Single Mx", "mx-1", "example.com", 5, 0, **{"mx-host": "MX1.Example.COM."})
    case(
        "mx_host_string.json",
        dumps(q),
        [provider_expected("Single Mx", "mx-1", "example.com", 5, 0, ["mx1.example.com"])],
    )
    q = provider_report("Old Draft", "pattern-1", "example.com", 5, 0, **{"mx-host-pattern": ["mx1.example.com"]})
    case(
        "mx_host_pattern_alias.json",
        dumps(q),
        [provider_expected("Old Draft", "pattern-1", "example.com", 5, 0, ["mx1.example.com"])],
    )
    q = provider_report("One String", "ps-1", "example.com", 9, 0)
    q["policies"][0]["policy"]["policy-string"] = "\r\n".join(POLICY_LINES)
    case("policy_string_single.json", dumps(q), [provider_expected("One String", "ps-1", "example.com", 9, 0)])
    q = provider_report("Naive Time", "naive-1", "example.com", 1, 0)
    q["date-range"] = {"start-datetime": "2024-03-01T00:00:00", "end-datetime": "2024-03-01 23:59:59"}
    case("datetime_without_zone.json", dumps(q), [provider_expected("Naive Time", "naive-1", "example.com", 1, 0)])
    q = provider_report("Offset Time", "offset-1", "example.com", 1, 0)
    q["date-range"] = {"start-datetime": "2024-03-01T02:00:00+02:00", "end-datetime": "2024-03-01T18:59:59-05:00"}
    case("datetime_with_offset.json", dumps(q), [provider_expected("Offset Time", "offset-1", "example.com", 1, 0)])
    q = provider_report("Fraction Time", "frac-1", "example.com", 1, 0)
    q["date-range"] = {"start-datetime": "2024-03-01T00:00:00.123Z", "end-datetime": "2024-03-01t23:59:59.5z"}
    case("datetime_fractional.json", dumps(q), [provider_expected("Fraction Time", "frac-1", "example.com", 1, 0)])
    npf = {
        "organization-name": "NoPolicy Sender",
        "date-range": {"start-datetime": "2024-03-01T00:00:00Z", "end-datetime": "2024-03-01T23:59:59Z"},
        "contact-info": "tls@nopolicy.example",
        "report-id": "npf-1",
        "policies": [
            {
                "policy": {"policy-type": "no-policy-found"},
                "summary": {"total-successful-session-count": 4, "total-failure-session-count": 0},
            }
        ],
    }
    case(
        "no_policy_found_without_domain.json",
        dumps(npf),
        [
            {
                "organization_name": "NoPolicy Sender",
                "report_id": "npf-1",
                "contact_info": "tls@nopolicy.example",
                "start": "2024-03-01T00:00:00Z",
                "end": "2024-03-01T23:59:59Z",
                "policies": [
                    {
                        "policy_type": "no-policy-found",
                        "policy_domain": None,
                        "policy_strings": [],
                        "mx_hosts": [],
                        "mx_hosts_source": None,
                        "successful": 4,
                        "failed": 0,
                        "failure_details": [],
                        "extra": None,
                    }
                ],
                "extra": None,
                "warnings": [],
            }
        ],
    )
    q = provider_report("Future Sender", "unknown-1", "example.com", 0, 7)
    q["policies"][0]["failure-details"] = [
        {"result-type": "Quantum-Decoherence", "failed-session-count": 7, "receiving-mx-helo": "mx1.example.com"}
    ]
    case(
        "unknown_result_type.json",
        dumps(q),
        [
            provider_expected(
                "Future Sender",
                "unknown-1",
                "example.com",
                0,
                7,
                None,
                [detail("quantum-decoherence", 7, receiving_mx_helo="mx1.example.com")],
            )
        ],
    )
    q = provider_report("Minimal", "min-1", "example.com", 3, 0)
    del q["contact-info"]
    del q["policies"][0]["policy"]["policy-string"]
    exp = provider_expected("Minimal", "min-1", "example.com", 3, 0)
    exp["contact_info"] = None
    exp["policies"][0]["policy_strings"] = []
    exp["policies"][0]["mx_hosts"] = []
    exp["policies"][0]["mx_hosts_source"] = None
    case("missing_optional_fields.json", dumps(q), [exp])
    q = provider_report("Case Sender", "case-1", "EXAMPLE.com.", 3, 0)
    case(
        "domain_uppercase_trailing_dot.json",
        dumps(q),
        [provider_expected("Case Sender", "case-1", "example.com", 3, 0)],
    )
    q = provider_report("Two Policies", "two-1", "example.com", 10, 1)
    q["policies"][0]["failure-details"] = [{"result-type": "sts-policy-fetch-error", "failed-session-count": 1}]
    q["policies"].append(
        {
            "policy": {
                "policy-type": "tlsa",
                "policy-string": ["3 1 1 ABCDEF"],
                "policy-domain": "example.com",
                "mx-host": ["mx2.example.com"],
            },
            "summary": {"total-successful-session-count": 4, "total-failure-session-count": 2},
            "failure-details": [
                {"result-type": "tlsa-invalid", "failed-session-count": 2},
                {"result-type": "dnssec-invalid", "failed-session-count": 0},
            ],
        }
    )
    exp = provider_expected("Two Policies", "two-1", "example.com", 10, 1, None, [detail("sts-policy-fetch-error", 1)])
    exp["policies"].append(
        {
            "policy_type": "tlsa",
            "policy_domain": "example.com",
            "policy_strings": ["3 1 1 ABCDEF"],
            "mx_hosts": ["mx2.example.com"],
            "mx_hosts_source": "mx-host",
            "successful": 4,
            "failed": 2,
            "failure_details": [detail("tlsa-invalid", 2), detail("dnssec-invalid", 0)],
            "extra": None,
        }
    )
    case("two_policies_sts_and_tlsa.json", dumps(q), [exp])
    q = provider_report("Alias Info", "alias-1", "example.com", 0, 1)
    q["policies"][0]["failure-details"] = [
        {
            "result-type": "certificate-not-trusted",
            "failed-session-count": 1,
            "additional-info-uri": "https://alias.example/info",
            "extra-field": {"kept": False},
        }
    ]
    q["extension-field"] = {"ignored": True}
    exp = provider_expected(
        "Alias Info",
        "alias-1",
        "example.com",
        0,
        1,
        None,
        [
            detail(
                "certificate-not-trusted",
                1,
                {"extra-field": {"kept": False}},
                additional_information="https://alias.example/info",
            )
        ],
    )
    exp["extra"] = {"extension-field": {"ignored": True}}  # unknown keys are kept, not dropped
    case("additional_info_uri_alias_and_extras.json", dumps(q), [exp])
    q = provider_report("Single Detail", "single-1", "example.com", 0, 1)
    q["policies"][0]["failure-details"] = {"result-type": "sts-webpki-invalid", "failed-session-count": 1}
    case(
        "failure_details_object.json",
        dumps(q),
        [provider_expected("Single Detail", "single-1", "example.com", 0, 1, None, [detail("sts-webpki-invalid", 1)])],
    )
    q = provider_report("Bom Sender", "bom-1", "example.com", 2, 0)
    case("utf8_bom.json", b"\xef\xbb\xbf" + dumps(q), [provider_expected("Bom Sender", "bom-1", "example.com", 2, 0)])
    q = provider_report("Numeric Id", 987654321, "example.com", 2, 0)
    case("numeric_report_id.json", dumps(q), [provider_expected("Numeric Id", "987654321", "example.com", 2, 0)])
    # --- labels that lie ----------------------------------------------------------------------
    lbl = provider_report("Label Gz", "label-gz-1", "example.com", 8, 0)
    case("gzipped_but_named.json", gz(dumps(lbl)), [provider_expected("Label Gz", "label-gz-1", "example.com", 8, 0)])
    lbl = provider_report("Label Plain", "label-plain-1", "example.com", 8, 0)
    case(
        "plain_but_named.json.gz", dumps(lbl), [provider_expected("Label Plain", "label-plain-1", "example.com", 8, 0)]
    )
    # --- emails ------------------------------------------------------------------------------
    g_exp = provider_expected(
        "Google Inc.",
        "2024-03-01T00:00:00Z_example.com",
        "example.com",
        1200,
        0,
        ["*.mail.example.com", "mx1.example.com"],
    )
    case(
        "email_tlsrpt_gzip.eml",
        email_with(
            [
                (
                    "application/tlsrpt+gzip",
                    "google.com!example.com!1709251200!1709337599.json.gz",
                    gz(json.dumps(g).encode()),
                )
            ]
        ),
        [g_exp],
    )
    case(
        "email_tlsrpt_json.eml",
        email_with(
            [("application/tlsrpt+json", "google.com!example.com!1709251200!1709337599.json", json.dumps(g).encode())]
        ),
        [g_exp],
    )
    case(
        "email_octet_stream_named_gz.eml",
        email_with([("application/octet-stream", "report.json.gz", gz(json.dumps(g).encode()))]),
        [g_exp],
    )
    case(
        "email_gzip_type_but_plain_json.eml",
        email_with([("application/gzip", "report.json.gz", json.dumps(g).encode())]),
        [g_exp],
    )
    second = provider_report("Google Inc.", "2024-03-02T00:00:00Z_example.org", "example.org", 3, 1)
    second_exp = provider_expected("Google Inc.", "2024-03-02T00:00:00Z_example.org", "example.org", 3, 1)
    case(
        "email_two_reports.eml",
        email_with(
            [
                ("application/tlsrpt+gzip", "a.json.gz", gz(json.dumps(g).encode())),
                ("application/tlsrpt+gzip", "b.json.gz", gz(json.dumps(second).encode())),
            ]
        ),
        [g_exp, second_exp],
    )
    case(
        "email_one_good_one_broken.eml",
        email_with(
            [
                ("application/tlsrpt+gzip", "good.json.gz", gz(json.dumps(g).encode())),
                ("application/tlsrpt+gzip", "broken.json.gz", gz(json.dumps(g).encode())[:40]),
            ]
        ),
        [g_exp],
        [{"source": "email_one_good_one_broken.eml#broken.json.gz", "error": "truncated gzip data"}],
    )
    case(
        "email_with_unrelated_attachment.eml",
        email_with(
            [
                ("image/png", "logo.png", b"\x89PNG\r\n\x1a\n"),
                ("application/tlsrpt+json", "r.json", json.dumps(g).encode()),
            ]
        ),
        [g_exp],
    )
    case(
        "email_no_report.eml",
        email_with([("image/png", "logo.png", b"\x89PNG\r\n\x1a\n")]),
        [],
        [{"source": "email_no_report.eml", "error": "no TLS-RPT report in this message"}],
    )
    # --- not reports -----------------------------------------------------------------------
    case(
        "broken_not_json.json",
        b'{"organization-name": "x", ',
        [],
        [{"source": "broken_not_json.json", "error": "not valid JSON"}],
    )
    case(
        "broken_json_array.json",
        b"[1, 2, 3]",
        [],
        [{"source": "broken_json_array.json", "error": "a report is a JSON object; this is a JSON list"}],
    )
    q = provider_report("No Policies", "np-1", "example.com", 1, 0)
    del q["policies"]
    case(
        "broken_missing_policies.json",
        dumps(q),
        [],
        [{"source": "broken_missing_policies.json", "error": "policies is missing"}],
    )
    q = provider_report("Negative", "neg-1", "example.com", -5, 0)
    case(
        "broken_negative_count.json",
        dumps(q),
        [],
        [
            {
                "source": "broken_negative_count.json",
                "error": "policies[0].summary.total-successful-session-count must not be negative",
            }
        ],
    )
    q = provider_report("Bad Count", "bad-1", "example.com", "lots", 0)
    case(
        "broken_count_not_a_number.json",
        dumps(q),
        [],
        [
            {
                "source": "broken_count_not_a_number.json",
                "error": "policies[0].summary.total-successful-session-count must be a count",
            }
        ],
    )
    q = provider_report("Bad Date", "date-1", "example.com", 1, 0)
    q["date-range"]["start-datetime"] = "yesterday"
    case(
        "broken_bad_date.json",
        dumps(q),
        [],
        [{"source": "broken_bad_date.json", "error": "date-range.start-datetime is not an RFC 3339 date-time"}],
    )
    q = provider_report("No Domain", "nd-1", "example.com", 1, 0)
    del q["policies"][0]["policy"]["policy-domain"]
    case(
        "broken_sts_without_domain.json",
        dumps(q),
        [],
        [{"source": "broken_sts_without_domain.json", "error": "policies[0].policy.policy-domain is missing"}],
    )
    case(
        "broken_truncated.json.gz",
        gz(dumps(rfc_report()))[:60],
        [],
        [{"source": "broken_truncated.json.gz", "error": "truncated gzip data"}],
    )
    case(
        "broken_gzip_bomb.json.gz",
        gz(b" " * (21 * 1024 * 1024)),
        [],
        [{"source": "broken_gzip_bomb.json.gz", "error": "decompressed report exceeds the limit"}],
    )
    case(
        "broken_deep_nesting.json",
        b'{"organization-name": "x", "deep": ' + b"[" * 100 + b"]" * 100 + b"}",
        [],
        [{"source": "broken_deep_nesting.json", "error": "JSON nests deeper than 32 levels"}],
    )
    case(
        "broken_dmarc_xml.eml",
        email_with([("application/gzip", "dmarc.xml.gz", gz(b"<feedback></feedback>"))]),
        [],
        [{"source": "broken_dmarc_xml.eml#dmarc.xml.gz", "error": "not valid JSON"}],
    )


# --- shapes real senders send ---------------------------------------------------------------
# Each report below is written here, with made-up domains, addresses and counts, in the shape a
# real sender uses; the comment names the public material the shape was learnt from.


def exp_report(
    org: str, report_id: str, contact: str | None, start: str, end: str, policies: list[Any]
) -> dict[str, Any]:
    return {
        "organization_name": org,
        "report_id": report_id,
        "contact_info": contact,
        "start": start,
        "end": end,
        "policies": policies,
        "extra": None,
        "warnings": [],
    }


def exp_policy(
    policy_type: str,
    domain: str | None,
    strings: list[str],
    mx: tuple[list[str], str | None],
    counts: tuple[int, int],
    details: list[Any] | None = None,
) -> dict[str, Any]:
    return {
        "policy_type": policy_type,
        "policy_domain": domain,
        "policy_strings": strings,
        "mx_hosts": mx[0],
        "mx_hosts_source": mx[1],
        "successful": counts[0],
        "failed": counts[1],
        "failure_details": details or [],
        "extra": None,
    }


def sts_lines(mode: str, max_age: int, *mx: str) -> list[str]:
    """Policy lines in the order Microsoft and Google print them (mx before max_age)."""
    return ["version: STSv1", f"mode: {mode}", *(f"mx: {m}" for m in mx), f"max_age: {max_age}"]


def google_cases() -> None:
    # Google, older reports (2020-2022): no "mx-host"; each policy line may end in "\r" (Google's
    # report for digilicious.com of 2022-01-09, in gene-hightower/internet-message-parser's tests).
    lines = ["version: STSv1\r", "mode: enforce\r", "max_age: 2419200\r", "mx: mail.tide.example\r"]
    doc = {
        "organization-name": "Google Inc.",
        "date-range": {"start-datetime": "2022-01-09T00:00:00Z", "end-datetime": "2022-01-09T23:59:59Z"},
        "contact-info": "smtp-tls-reporting@google.com",
        "report-id": "2022-01-09T00:00:00Z_tide.example",
        "policies": [
            {
                "policy": {"policy-type": "sts", "policy-string": lines, "policy-domain": "tide.example"},
                "summary": {"total-successful-session-count": 5, "total-failure-session-count": 0},
            }
        ],
    }
    pol = exp_policy(
        "sts",
        "tide.example",
        ["version: STSv1", "mode: enforce", "max_age: 2419200", "mx: mail.tide.example"],
        (["mail.tide.example"], "policy-string"),
        (5, 0),
    )
    exp = exp_report(
        "Google Inc.",
        "2022-01-09T00:00:00Z_tide.example",
        "smtp-tls-reporting@google.com",
        "2022-01-09T00:00:00Z",
        "2022-01-09T23:59:59Z",
        [pol],
    )
    case("google_2022_no_mx_host_cr_lines.json.gz", gz(json.dumps(doc, separators=(",", ":")).encode()), [exp])
    # Google, 2020: a no-policy-found entry and two policy versions in one report, failures listed
    # per sending IP, no "mx-host" (a public BigQuery loader's sample of a Google report).
    old = sts_lines("testing", 86401, "mx1.tide.example", "mx2.tide.example")
    new = sts_lines("testing", 86401, "mx1.tide.example", "*.tide.example")
    row = {
        "result-type": "validation-failure",
        "receiving-ip": "192.0.2.7",
        "receiving-mx-hostname": "mx1.tide.example",
    }
    doc = {
        "organization-name": "Google Inc.",
        "date-range": {"start-datetime": "2020-02-06T00:00:00Z", "end-datetime": "2020-02-06T23:59:59Z"},
        "contact-info": "smtp-tls-reporting@google.com",
        "report-id": "2020-02-06T00:00:00Z_tide.example",
        "policies": [
            {
                "policy": {"policy-type": "no-policy-found", "policy-domain": "tide.example"},
                "summary": {"total-successful-session-count": 1, "total-failure-session-count": 0},
            },
            {
                "policy": {"policy-type": "sts", "policy-string": old, "policy-domain": "tide.example"},
                "summary": {"total-successful-session-count": 0, "total-failure-session-count": 3},
                "failure-details": [
                    {**row, "sending-mta-ip": "198.51.100.1", "failed-session-count": 1},
                    {**row, "sending-mta-ip": "198.51.100.2", "failed-session-count": 2},
                ],
            },
            {
                "policy": {"policy-type": "sts", "policy-string": new, "policy-domain": "tide.example"},
                "summary": {"total-successful-session-count": 4, "total-failure-session-count": 0},
            },
        ],
    }
    fields: dict[str, str | None] = {"receiving_ip": "192.0.2.7", "receiving_mx_hostname": "mx1.tide.example"}
    exp = exp_report(
        "Google Inc.",
        "2020-02-06T00:00:00Z_tide.example",
        "smtp-tls-reporting@google.com",
        "2020-02-06T00:00:00Z",
        "2020-02-06T23:59:59Z",
        [
            exp_policy("no-policy-found", "tide.example", [], ([], None), (1, 0)),
            exp_policy(
                "sts",
                "tide.example",
                old,
                (["mx1.tide.example", "mx2.tide.example"], "policy-string"),
                (0, 3),
                [
                    detail("validation-failure", 1, None, sending_mta_ip="198.51.100.1", **fields),
                    detail("validation-failure", 2, None, sending_mta_ip="198.51.100.2", **fields),
                ],
            ),
            exp_policy("sts", "tide.example", new, (["mx1.tide.example", "*.tide.example"], "policy-string"), (4, 0)),
        ],
    )
    case("google_2020_three_policies.json", json.dumps(doc, separators=(",", ":")).encode(), [exp])


def microsoft_cases() -> None:
    # Microsoft: no "mx-host" ever; a "tlsa" policy whose policy-string is ONE string holding a JSON
    # array of the TLSA records; report-id "<number>+<domain>" (cry-inc/dmarc-report-viewer's
    # testdata microsoft.json, kravietz/tlsrpt-rs's microsoft1.eml).
    records = ["3 1 1 " + "AB" * 32, "3 1 1 " + "CD" * 32]
    lines = sts_lines("enforce", 2592000, "*.tide.example")
    doc = {
        "organization-name": "Microsoft Corporation",
        "date-range": {"start-datetime": "2025-05-23T00:00:00Z", "end-datetime": "2025-05-23T23:59:59Z"},
        "contact-info": "tlsrpt-noreply@microsoft.com",
        "report-id": "133925885310000000+tide.example",
        "policies": [
            {
                "policy": {"policy-type": "sts", "policy-string": lines, "policy-domain": "tide.example"},
                "summary": {"total-successful-session-count": 2, "total-failure-session-count": 0},
            },
            {
                "policy": {
                    "policy-type": "tlsa",
                    "policy-string": [json.dumps(records, separators=(",", ":"))],
                    "policy-domain": "tide.example",
                },
                "summary": {"total-successful-session-count": 2, "total-failure-session-count": 0},
            },
        ],
    }
    exp = exp_report(
        "Microsoft Corporation",
        "133925885310000000+tide.example",
        "tlsrpt-noreply@microsoft.com",
        "2025-05-23T00:00:00Z",
        "2025-05-23T23:59:59Z",
        [
            exp_policy("sts", "tide.example", lines, (["*.tide.example"], "policy-string"), (2, 0)),
            exp_policy("tlsa", "tide.example", records, ([], None), (2, 0)),
        ],
    )
    case("microsoft_sts_and_tlsa_json_array.json", dumps(doc), [exp])
    # Microsoft, 2023/2024: date-times without a zone (mjl-/mox's microsoft.eml, phi-ag/mta-sts-exporter's
    # microsoft-2.json), delivered as application/tlsrpt+gzip in a multipart/report e-mail.
    lines = sts_lines("enforce", 86400, "mx.tide.example")
    doc = {
        "organization-name": "Microsoft Corporation",
        "date-range": {"start-datetime": "2023-01-10T00:00:00", "end-datetime": "2023-01-10T23:59:59"},
        "contact-info": "tlsrpt-noreply@microsoft.com",
        "report-id": "133198585430000000+tide.example",
        "policies": [
            {
                "policy": {"policy-type": "sts", "policy-string": lines, "policy-domain": "tide.example"},
                "summary": {"total-successful-session-count": 2, "total-failure-session-count": 0},
            }
        ],
    }
    exp = exp_report(
        "Microsoft Corporation",
        "133198585430000000+tide.example",
        "tlsrpt-noreply@microsoft.com",
        "2023-01-10T00:00:00Z",
        "2023-01-10T23:59:59Z",
        [exp_policy("sts", "tide.example", lines, (["mx.tide.example"], "policy-string"), (2, 0))],
    )
    name = "microsoft.com!tide.example!1673308800!1673395199!133198585430000000.json.gz"
    case("email_microsoft_no_zone.eml", email_with([("application/tlsrpt+gzip", name, gz(dumps(doc)))]), [exp])
    # Microsoft, 2025: a fetch error with neither policy-string nor any optional failure field
    # (cry-inc/dmarc-report-viewer issue #57).
    doc = {
        "organization-name": "Microsoft Corporation",
        "date-range": {"start-datetime": "2025-06-14T00:00:00Z", "end-datetime": "2025-06-14T23:59:59Z"},
        "contact-info": "tlsrpt-noreply@microsoft.com",
        "report-id": "133944884950000000+",
        "policies": [
            {
                "policy": {"policy-type": "sts", "policy-domain": "tide.example"},
                "summary": {"total-successful-session-count": 0, "total-failure-session-count": 3},
                "failure-details": [{"result-type": "sts-policy-fetch-error", "failed-session-count": 3}],
            }
        ],
    }
    exp = exp_report(
        "Microsoft Corporation",
        "133944884950000000+",
        "tlsrpt-noreply@microsoft.com",
        "2025-06-14T00:00:00Z",
        "2025-06-14T23:59:59Z",
        [exp_policy("sts", "tide.example", [], ([], None), (0, 3), [detail("sts-policy-fetch-error", 3)])],
    )
    case("microsoft_fetch_error_minimal_detail.json", json.dumps(doc, separators=(",", ":")).encode(), [exp])


def other_sender_cases() -> None:
    # Mail.ru: keys in alphabetical order, no policy-string, only failure-reason-code, end at the
    # next midnight, and failure-details rows that add up to MORE than the summary's total
    # (parsedmarc's samples/smtp_tls/mail.ru.json; kravietz/tlsrpt-rs's mail.ru.eml).
    doc = {
        "contact-info": "tls_support@corp.mail.ru",
        "date-range": {"end-datetime": "2024-02-23T00:00:00Z", "start-datetime": "2024-02-22T00:00:00Z"},
        "organization-name": "Mail.ru",
        "policies": [
            {
                "failure-details": [
                    {
                        "failed-session-count": 1,
                        "failure-reason-code": "bad https response code: 404",
                        "result-type": "sts-policy-fetch-error",
                    },
                    {
                        "failed-session-count": 1,
                        "failure-reason-code": "bad https response code: 503",
                        "result-type": "sts-policy-fetch-error",
                    },
                ],
                "policy": {"policy-domain": "tide.example", "policy-type": "sts"},
                "summary": {"total-failure-session-count": 1, "total-successful-session-count": 0},
            }
        ],
        "report-id": "0f3c5a3e-1111-2222-3333-444455556666@mail.ru",
    }
    exp = exp_report(
        "Mail.ru",
        "0f3c5a3e-1111-2222-3333-444455556666@mail.ru",
        "tls_support@corp.mail.ru",
        "2024-02-22T00:00:00Z",
        "2024-02-23T00:00:00Z",
        [
            exp_policy(
                "sts",
                "tide.example",
                [],
                ([], None),
                (0, 1),
                [
                    detail("sts-policy-fetch-error", 1, failure_reason_code="bad https response code: 404"),
                    detail("sts-policy-fetch-error", 1, failure_reason_code="bad https response code: 503"),
                ],
            )
        ],
    )
    exp["warnings"] = [
        "policies[0]: summary.total-failure-session-count is 1 but the failure-details rows add up to 2; "
        "the sender's total is kept"
    ]
    case("mailru_details_exceed_total.json", json.dumps(doc, indent=3, sort_keys=True).encode(), [exp])
    # SocketLabs: "receiving-mx-host-name" instead of "receiving-mx-hostname", an empty "mx-host"
    # list on the failing policy, a hex report-id (a public BigQuery loader's SocketLabs sample).
    lines = sts_lines("enforce", 86401, "mx.tide.example")
    doc = {
        "organization-name": "socketlabs.com",
        "date-range": {"start-datetime": "2020-02-27T00:00:00Z", "end-datetime": "2020-02-28T00:00:00Z"},
        "contact-info": "tlsrpt-feedback@socketlabs.com",
        "report-id": "0A1B2C3D4E5F60718293A4B5C6D7E8F9",
        "policies": [
            {
                "policy": {
                    "policy-type": "sts",
                    "policy-string": lines,
                    "policy-domain": "tide.example",
                    "mx-host": ["mx.tide.example"],
                },
                "summary": {"total-successful-session-count": 12, "total-failure-session-count": 0},
            },
            {
                "policy": {
                    "policy-type": "sts",
                    "policy-string": lines,
                    "policy-domain": "tide.example",
                    "mx-host": [],
                },
                "summary": {"total-successful-session-count": 0, "total-failure-session-count": 2},
                "failure-details": [
                    {
                        "result-type": "certificate-host-mismatch",
                        "sending-mta-ip": "203.0.113.9",
                        "receiving-mx-host-name": "mx.tide.example",
                        "receiving-ip": "192.0.2.7",
                        "failed-session-count": 2,
                    }
                ],
            },
        ],
    }
    mismatch = detail(
        "certificate-host-mismatch",
        2,
        sending_mta_ip="203.0.113.9",
        receiving_mx_hostname="mx.tide.example",
        receiving_ip="192.0.2.7",
    )
    exp = exp_report(
        "socketlabs.com",
        "0A1B2C3D4E5F60718293A4B5C6D7E8F9",
        "tlsrpt-feedback@socketlabs.com",
        "2020-02-27T00:00:00Z",
        "2020-02-28T00:00:00Z",
        [
            exp_policy("sts", "tide.example", lines, (["mx.tide.example"], "mx-host"), (12, 0)),
            exp_policy("sts", "tide.example", lines, (["mx.tide.example"], "policy-string"), (0, 2), [mismatch]),
        ],
    )
    case("socketlabs_mx_host_name_alias.json", json.dumps(doc, separators=(",", ":")).encode(), [exp])
    small_sender_cases()


def small_sender_cases() -> None:
    # Postfix with sys4's tlsrpt-reporter: "no-policy-found" without a policy-domain, "summary"
    # before "policy", an empty failure-details list (sys4/tlsrpt-reporter issue #51).
    doc: dict[str, Any] = {
        "organization-name": "mail.tide.example",
        "date-range": {"start-datetime": "2025-09-20T00:00:00Z", "end-datetime": "2025-09-20T23:59:59Z"},
        "contact-info": "smtp-tls-reporting@mail.tide.example",
        "policies": [
            {
                "summary": {"total-failure-session-count": 0, "total-successful-session-count": 1},
                "policy": {"policy-type": "no-policy-found"},
                "failure-details": [],
            }
        ],
        "report-id": "2025-09-20T00:00:00Z_idx1_tide.example",
    }
    exp = exp_report(
        "mail.tide.example",
        "2025-09-20T00:00:00Z_idx1_tide.example",
        "smtp-tls-reporting@mail.tide.example",
        "2025-09-20T00:00:00Z",
        "2025-09-20T23:59:59Z",
        [exp_policy("no-policy-found", None, [], ([], None), (1, 0))],
    )
    case("postfix_tlsrpt_reporter_no_domain.json", json.dumps(doc, indent=2).encode(), [exp])
    # Small MTAs (mx.egressif.io, parsedmarc issue #575; refluxstop.de, cry-inc/dmarc-report-viewer
    # issue #71): contact-info null, empty policy-string / mx-host / failure-details lists.
    doc = {
        "organization-name": "mx.relay.example",
        "date-range": {"start-datetime": "2024-10-31T00:00:00Z", "end-datetime": "2024-11-01T00:00:00Z"},
        "contact-info": None,
        "report-id": "1730332800_11732957880687192466",
        "policies": [
            {
                "policy": {
                    "policy-type": "no-policy-found",
                    "policy-string": [],
                    "policy-domain": "tide.example",
                    "mx-host": [],
                },
                "summary": {"total-successful-session-count": 1, "total-failure-session-count": 0},
                "failure-details": [],
            }
        ],
    }
    exp = exp_report(
        "mx.relay.example",
        "1730332800_11732957880687192466",
        None,
        "2024-10-31T00:00:00Z",
        "2024-11-01T00:00:00Z",
        [exp_policy("no-policy-found", "tide.example", [], ([], None), (1, 0))],
    )
    case("small_mta_contact_null_empty_lists.json", json.dumps(doc, separators=(",", ":")).encode(), [exp])
    # Empty strings for the optional failure fields (parsedmarc's
    # samples/smtp_tls/empty_failure_detail_fields.json): read as absent.
    lines = sts_lines("enforce", 86400, "tide.example")
    doc = {
        "organization-name": "Reporter Example",
        "date-range": {"start-datetime": "2024-06-01T00:00:00Z", "end-datetime": "2024-06-01T23:59:59Z"},
        "contact-info": "smtp-tls-reporting@reporter.example",
        "report-id": "2024-06-01T00:00:00Z_tide.example",
        "policies": [
            {
                "policy": {"policy-type": "sts", "policy-string": lines, "policy-domain": "tide.example"},
                "summary": {"total-successful-session-count": 0, "total-failure-session-count": 1},
                "failure-details": [
                    {
                        "result-type": "sts-policy-fetch-error",
                        "sending-mta-ip": "",
                        "receiving-ip": "",
                        "receiving-mx-hostname": "",
                        "failed-session-count": 1,
                        "additional-information": "",
                        "failure-reason-code": "no-policy-served",
                    }
                ],
            }
        ],
    }
    exp = exp_report(
        "Reporter Example",
        "2024-06-01T00:00:00Z_tide.example",
        "smtp-tls-reporting@reporter.example",
        "2024-06-01T00:00:00Z",
        "2024-06-01T23:59:59Z",
        [
            exp_policy(
                "sts",
                "tide.example",
                lines,
                (["tide.example"], "policy-string"),
                (0, 1),
                [detail("sts-policy-fetch-error", 1, failure_reason_code="no-policy-served")],
            )
        ],
    )
    case("empty_failure_detail_fields.json", dumps(doc), [exp])


def unknown_keys_case() -> None:
    # No real sender is known to add fields beyond the aliases above; this report adds one at every
    # level (as a future extension would) to show that each is kept where it was sent.
    q = provider_report("Extension Sender", "ext-1", "example.com", 3, 1)
    q["x-top"] = [1, 2]
    q["date-range"]["x-zone"] = "UTC"
    q["policies"][0]["x-entry"] = True
    q["policies"][0]["policy"]["x-policy"] = {"a": None}
    q["policies"][0]["policy"]["mx-host-pattern"] = ["old.example.com"]  # alias beside its RFC key
    q["policies"][0]["policy"]["mx-host"] = ["mx1.example.com"]
    q["policies"][0]["summary"]["x-summary"] = 7
    q["policies"][0]["failure-details"] = [
        {
            "result-type": "starttls-not-supported",
            "failed-session-count": 1,
            "receiving-mx-hostname": "mx1.example.com",
            "receiving-mx-host-name": "other.example.com",
            "x-detail": "kept",
        }
    ]
    exp = provider_expected(
        "Extension Sender",
        "ext-1",
        "example.com",
        3,
        1,
        ["mx1.example.com"],
        [
            detail(
                "starttls-not-supported",
                1,
                {"receiving-mx-host-name": "other.example.com", "x-detail": "kept"},
                receiving_mx_hostname="mx1.example.com",
            )
        ],
    )
    exp["extra"] = {"x-top": [1, 2], "date-range.x-zone": "UTC"}
    exp["policies"][0]["extra"] = {
        "x-entry": True,
        "policy.x-policy": {"a": None},
        "policy.mx-host-pattern": ["old.example.com"],
        "summary.x-summary": 7,
    }
    case("unknown_keys_at_every_level.json", dumps(q), [exp])


def mime_cases() -> None:
    report = provider_report("Bare Type", "bare-1", "example.com", 6, 0)
    exp = provider_expected("Bare Type", "bare-1", "example.com", 6, 0)
    # "application/tlsrpt" without +json/+gzip, named *.json (stalwartlabs/mail-auth's rpt02.eml).
    name = "sender.example!example.com!1709251200!1709337599.json"
    case("email_application_tlsrpt_named_json.eml", email_with([("application/tlsrpt", name, dumps(report))]), [exp])
    case(
        "email_application_tlsrpt_named_json_gz.eml",
        email_with([("application/tlsrpt", name + ".gz", gz(dumps(report)))]),
        [exp],
    )
    case(
        "email_application_tlsrpt_named_txt.eml",
        email_with([("application/tlsrpt", "report.txt", dumps(report))]),
        [],
        [{"source": "email_application_tlsrpt_named_txt.eml", "error": "no TLS-RPT report in this message"}],
    )
    case(
        "email_deep_mime.eml", deep_mime(40), [], [{"source": "email_deep_mime.eml", "error": "MIME parts nest deeper"}]
    )


def deep_mime(levels: int) -> bytes:
    """A message whose multipart parts nest ``levels`` deep around one report attachment."""
    head = b"From: a@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(levels)
    )
    inner = b"Content-Type: application/tlsrpt+json\r\n\r\n" + dumps(rfc_report()) + b"\r\n"
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(levels)))
    return head + opening + inner + closing


def main() -> None:
    build()
    google_cases()
    microsoft_cases()
    other_sender_cases()
    unknown_keys_case()
    mime_cases()
    for path in HERE.iterdir():
        if path.name != Path(__file__).name and path.is_file():
            path.unlink()
    for name, data, expected in CASES:
        (HERE / name).write_bytes(data)
        (HERE / "expected").mkdir(exist_ok=True)
        (HERE / "expected" / f"{name}.json").write_text(json.dumps(copy.deepcopy(expected), indent=1) + "\n")
    print(f"{len(CASES)} cases written")


if __name__ == "__main__":
    main()

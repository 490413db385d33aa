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


def detail(result_type: str, count: int, **extra: str | None) -> dict[str, Any]:
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
    out.update(extra)
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
            }
        ],
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
                "mx_hosts": mx or [],
                "successful": ok,
                "failed": failed,
                "failure_details": details or [],
            }
        ],
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
                        "successful": 4,
                        "failed": 0,
                        "failure_details": [],
                    }
                ],
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
            "successful": 4,
            "failed": 2,
            "failure_details": [detail("tlsa-invalid", 2), detail("dnssec-invalid", 0)],
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
    case(
        "additional_info_uri_alias_and_extras.json",
        dumps(q),
        [
            provider_expected(
                "Alias Info",
                "alias-1",
                "example.com",
                0,
                1,
                None,
                [detail("certificate-not-trusted", 1, additional_information="https://alias.example/info")],
            )
        ],
    )
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


def main() -> None:
    build()
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

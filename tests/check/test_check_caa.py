"""CAA evaluation (RFC 8659) against the issuer of the served certificate."""

from __future__ import annotations

import datetime as dt

from pulumi_mta_sts.check.caa import CaaSet, check_caa, issuer_caa_domains
from pulumi_mta_sts.check.model import Status
from pulumi_mta_sts.net.tlsinfo import CertInfo

AMAZON = CertInfo("Amazon", "Amazon RSA 2048 M02", dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
LE = CertInfo("Let's Encrypt", "R11", dt.datetime(2030, 1, 1, tzinfo=dt.UTC))


def test_known_issuers_map_to_their_caa_domains() -> None:
    assert "amazon.com" in issuer_caa_domains(AMAZON)
    assert issuer_caa_domains(LE) == ("letsencrypt.org",)


def test_caa_allowing_the_issuer_passes() -> None:
    caa = CaaSet("example.com", ("amazon.com",), True)
    assert check_caa(caa, AMAZON, "mta-sts.example.com").status is Status.PASS


def test_caa_allowing_only_another_known_ca_fails_with_the_record_to_add() -> None:
    caa = CaaSet("example.com", ("letsencrypt.org",), True)
    result = check_caa(caa, AMAZON, "mta-sts.example.com")
    assert result.status is Status.FAIL
    assert '0 issue "amazon.com"' in result.hint and "example.com" in result.hint


def test_caa_forbidding_every_ca_fails() -> None:
    assert check_caa(CaaSet("example.com", (), True), LE, "mta-sts.example.com").status is Status.FAIL


def test_caa_with_only_issuewild_or_iodef_allows_any_ca() -> None:
    assert check_caa(CaaSet("example.com", (), False), LE, "mta-sts.example.com").status is Status.PASS


def test_no_caa_at_all_is_a_skip() -> None:
    assert check_caa(CaaSet(None), LE, "mta-sts.example.com").status is Status.SKIP

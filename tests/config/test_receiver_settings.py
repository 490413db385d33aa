"""Receiver settings are validated before anything is deployed, each problem naming its setting."""

from __future__ import annotations

import pytest

from pulumi_mta_sts.spec.receiver_settings import (
    SES_RECEIVING_REGIONS,
    ReceiverSettings,
    check_receiver_settings,
    inbound_mx_value,
    mailto_rua,
    reports_subdomain,
)

OK = ReceiverSettings(region="eu-west-1", rule_set_name="default-rule-set")


def fields(settings: ReceiverSettings, domain: str = "example.com") -> list[str]:
    return [p.field for p in check_receiver_settings(domain, settings)]


def test_defaults_with_a_rule_set_are_valid_and_give_the_subdomain_mailbox_and_mx() -> None:
    assert check_receiver_settings("example.com", OK) == []
    assert reports_subdomain("example.com", OK) == "tlsrpt.example.com"
    assert mailto_rua("example.com", OK) == "mailto:reports@tlsrpt.example.com"
    assert inbound_mx_value("eu-west-1") == "10 inbound-smtp.eu-west-1.amazonaws.com"
    assert check_receiver_settings("example.com", ReceiverSettings(create_rule_set=True)) == []


@pytest.mark.parametrize("region", sorted(SES_RECEIVING_REGIONS))
def test_every_ses_receiving_region_is_accepted(region: str) -> None:
    assert fields(ReceiverSettings(region=region, rule_set_name="x")) == []


@pytest.mark.parametrize("region", ["eu-north-1", "us-west-1", "ap-south-1", "EU-WEST-1", ""])
def test_regions_without_ses_inbound_are_refused(region: str) -> None:
    assert fields(ReceiverSettings(region=region, rule_set_name="x")) == ["region"]


@pytest.mark.parametrize(
    ("subdomain", "reason"),
    [
        ("example.com", "would take the domain's real mail"),
        ("EXAMPLE.COM.", "would take the domain's real mail"),
        ("tlsrpt.example.org", "must be a subdomain of example.com"),
        ("notexample.com", "must be a subdomain of example.com"),
        ("bad_label.example.com", "invalid label"),
    ],
)
def test_the_subdomain_must_be_under_the_domain_and_never_the_apex(subdomain: str, reason: str) -> None:
    [problem] = check_receiver_settings("example.com", ReceiverSettings(subdomain=subdomain, rule_set_name="x"))
    assert problem.field == "subdomain" and reason in problem.reason


def test_a_deeper_subdomain_is_fine() -> None:
    settings = ReceiverSettings(subdomain="Reports.Mail.Example.com", rule_set_name="x")
    assert fields(settings) == []
    assert reports_subdomain("example.com", settings) == "reports.mail.example.com"


def test_rule_set_is_required_unless_one_is_created_and_its_name_is_checked() -> None:
    assert fields(ReceiverSettings()) == ["rule_set_name"]
    assert fields(ReceiverSettings(rule_set_name="has space")) == ["rule_set_name"]
    assert fields(ReceiverSettings(rule_set_name="x" * 65)) == ["rule_set_name"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"silence_days": 0}, "silence_days"),
        ({"silence_days": 8}, "silence_days"),
        ({"failed_sessions_threshold": 0}, "failed_sessions_threshold"),
        ({"raw_retention_days": 0}, "raw_retention_days"),
        ({"quarantine_retention_days": True}, "quarantine_retention_days"),
        ({"max_body_bytes": 5 * 1024 * 1024}, "max_body_bytes"),
        ({"mailbox": "re ports"}, "mailbox"),
        ({"mailbox": ""}, "mailbox"),
    ],
)
def test_numbers_and_the_mailbox_are_bounded(change: dict[str, object], field: str) -> None:
    from dataclasses import replace

    assert fields(replace(OK, **change)) == [field]  # type: ignore[arg-type]


def test_settings_are_read_from_config_values_with_strings_for_numbers_and_booleans() -> None:
    from pulumi_mta_sts.spec.receiver_settings import settings_from_mapping

    settings, problems = settings_from_mapping(
        {"region": " EU-West-1 ", "create_rule_set": "true", "silence_days": "5", "https": False, "enabled": True}
    )
    assert problems == []
    assert (settings.region, settings.create_rule_set, settings.silence_days, settings.https) == (
        "eu-west-1",
        True,
        5,
        False,
    )


def test_wrong_types_are_reported_by_setting_and_replaced_by_defaults() -> None:
    from pulumi_mta_sts.spec.receiver_settings import settings_from_mapping

    settings, problems = settings_from_mapping({"silence_days": "three", "https": "yes", "subdomain": 7})
    assert [p.field for p in problems] == ["subdomain", "https", "silence_days"]
    assert settings == ReceiverSettings()


def test_a_configured_but_disabled_receiver_need_not_name_a_rule_set() -> None:
    assert check_receiver_settings("example.com", ReceiverSettings(), require_rule_set=False) == []


@pytest.mark.parametrize(
    ("name", "create", "ok"),
    [
        ("existing.set.v1", False, True),  # made when SES allowed '.': still named
        ("existing.set.v1", True, False),  # SES no longer creates such a name
        ("a" * 64, False, True),
        ("a" * 64, True, False),  # 63 satisfies both "less than 64" and "64 or fewer"
        ("a" * 63, True, True),
        ("tlsrpt-", True, False),  # must end with a letter or a digit
        ("mta_sts-tlsrpt", True, True),
    ],
)
def test_a_rule_set_to_create_follows_todays_ses_rule_an_existing_one_the_older(
    name: str, create: bool, ok: bool
) -> None:
    settings = ReceiverSettings(rule_set_name=name, create_rule_set=create)
    assert (fields(settings) == []) is ok

"""The receiver's key scheme is read back with the rule that writes it: every key ``first_key`` and
``version_key`` make is a stored name, and only the second is a version (backfill, ``s3://``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import pulumi_mta_sts.cli.report_sources as report_sources
from pulumi_mta_sts.receiver_lambda.contract import STORED_NAME, first_key, is_version_key, version_key


@given(st.text(), st.text(), st.text("0123456789abcdef", min_size=16, max_size=64))
def test_written_keys_are_read_back_as_first_bodies_and_versions(org: str, report_id: str, digest: str) -> None:
    report = {"organization_name": org, "report_id": report_id}
    first, version = first_key(report), version_key(report, digest)
    for key in (first, version):
        assert STORED_NAME.fullmatch(key.rpartition("/")[2])
    assert not is_version_key(first) and is_version_key(version)
    assert vars(report_sources)["STORED_NAME"] is STORED_NAME  # the bucket reader uses the writer's rule


def test_other_names_are_neither() -> None:
    for key in (
        "reports/x.json",
        "raw/abc",
        "reports/" + "a" * 40 + ".abc.json",
        "tables/reports/dt=2026-01-01/a.json",
    ):
        assert not is_version_key(key)

"""Hypothesis strategies for valid policy inputs, shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

_LDH = "abcdefghijklmnopqrstuvwxyz0123456789"

label = st.builds(
    lambda first, middle, last: first + middle + last,
    st.sampled_from(_LDH),
    st.text(alphabet=_LDH + "-", max_size=20),
    st.sampled_from(_LDH),
).filter(lambda s: len(s) <= 63 and "--" not in s[2:4])  # skip reserved "xn--"-like labels
single_char_label = st.sampled_from(_LDH)
tld = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6)

hostname = st.builds(
    lambda labels, top: ".".join([*labels, top]),
    st.lists(st.one_of(label, single_char_label), min_size=1, max_size=4),
    tld,
)
pattern = st.one_of(hostname, hostname.map(lambda h: "*." + h))


def _case_variants(text: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda flips: "".join(c.upper() if f else c for c, f in zip(text, flips, strict=True))
    )


mx_list = st.lists(pattern, min_size=1, max_size=6, unique=True)
mode = st.sampled_from(["enforce", "testing", "none"])
max_age = st.integers(min_value=0, max_value=31_557_600)
ext_name = st.from_regex(r"\A[a-z0-9][a-z0-9_.-]{0,10}\Z").filter(
    lambda k: k not in ("version", "mode", "mx", "max_age")
)
ext_value = st.from_regex(r"\A[!-~](?:[!-~ ]{0,20}[!-~])?\Z")
extensions = st.dictionaries(ext_name, ext_value, max_size=3)
case_variants = _case_variants


def domain_under(zone: str, length: int, letter: str = "d") -> str:
    """A valid domain of exactly ``length`` characters under ``zone`` (labels of at most 63), for tests
    on both sides of a length limit; ``length`` must be at least ``len(zone) + 2``."""
    body = length - len(zone) - 1
    labels = []
    while body > 0:
        size = body if body <= 63 else min(50, body - 2)  # never leave a lone dot's worth
        labels.append(letter * size)
        body -= size + 1
    domain = ".".join([*labels, zone])
    assert len(domain) == length, (zone, length)
    return domain

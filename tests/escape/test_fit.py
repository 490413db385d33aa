"""escape/markdown.fit: a document cut to a byte budget keeps every kept block (at worst in its
last form), leaves other blocks out whole, says so, and never leaves a fence or a ``<details>``
open — for generated documents of any size."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.escape import markdown
from pulumi_mta_sts.escape.markdown import Block
from tests.strategies import hostile_text

from .gfm import balanced


def note(left_out: int, kept_cut: bool) -> str:
    return f"_…{left_out} parts left out{' (kept cut)' if kept_cut else ''}._"


def fenced(lines: list[str]) -> Block:
    return Block.of(markdown.fence(lines, "text"))


def details(lines: list[str]) -> Block:
    body = "\n".join(f"- {markdown.text(line)}" for line in lines)
    return Block.of(f"<details><summary>{len(lines)} lines</summary>\n\n{body}\n\n</details>")


def kept(number: int, message: str) -> Block:
    head = f"- **danger** `code-{number}` (`d{number}.example`)"
    return Block.kept(f"{head}: {markdown.text(message)}", f"{head}: {markdown.text(message, 40)}", head)


droppable = st.one_of(
    st.lists(hostile_text, max_size=400).map(fenced),
    st.lists(hostile_text, max_size=200).map(details),
    hostile_text.map(lambda text: Block.of(markdown.text(text))),
)


@st.composite
def documents(draw: st.DrawFn) -> list[Block]:
    blocks = draw(st.lists(droppable, max_size=12))
    for number in range(draw(st.integers(0, 40))):
        blocks.insert(draw(st.integers(0, len(blocks))), kept(number, draw(hostile_text) * draw(st.integers(1, 50))))
    return blocks


@settings(max_examples=60, deadline=None)
@given(documents(), st.integers(200, 60_000))
@example([*[fenced([])] * 7, details(["", "", ""]), details(["", "", "|"])], 200)  # two blocks, one <details> line
def test_a_cut_document_keeps_every_kept_block_and_stays_whole(blocks: list[Block], budget: int) -> None:
    out = markdown.fit(blocks, budget, note)
    least = markdown.least_size(blocks, note)
    assert markdown.size(out) <= budget
    if least <= budget:
        for block in blocks:
            if block.keep:
                assert any(form in out for form in block.forms), block.forms[-1]
    whole = markdown.join(blocks)
    if markdown.size(whole) <= budget:
        assert out == whole
    else:
        assert out.endswith(("parts left out._", "(kept cut)._"))
    whole_blocks = [b.forms[0] for b in blocks if not b.keep and b.forms[0] and b.forms[0] in out]
    for block in blocks:  # a block that is not kept is there whole, or not at all
        if not block.keep and block.forms[0] and block.forms[0] in out:
            continue
        if not block.keep:  # its <details> line is there only as the line of a block that is there whole
            for line in (line for line in block.forms[0].split("\n") if line.startswith("<details>")):
                assert out.count(line) <= sum(form.count(line) for form in whole_blocks)
    assert balanced(out)


def test_kept_blocks_take_their_shorter_forms_before_anything_kept_is_lost() -> None:
    blocks = [kept(n, "m" * 2000) for n in range(20)] + [fenced(["x" * 100] * 100)]
    out = markdown.fit(blocks, 3000, note)
    assert markdown.size(out) <= 3000
    assert all(f"`code-{n}`" in out for n in range(20))
    assert "m" * 41 not in out  # the messages were shortened: the kept blocks first
    assert "```text" not in out and out.endswith("_…1 parts left out._")


def test_when_even_the_last_forms_do_not_fit_whole_lines_are_kept() -> None:
    blocks = [kept(n, "m") for n in range(100)]
    out = markdown.fit(blocks, 1000, note)
    assert markdown.size(out) <= 1000
    assert out.endswith("_…0 parts left out (kept cut)._")
    assert all(line.startswith("- **danger**") for line in out.split("\n\n")[:-1])

"""Markdown as GitHub renders it, for the tests: cmark-gfm (GitHub's own renderer, on PyPI as
``cmarkgfm``) with its table, autolink, strikethrough and tagfilter extensions, raw HTML let
through (GitHub sanitises it later; here it must show up, so an injected element is seen), and
the filters GitHub runs on the rendered text emulated: ``@mentions``, issue references
(``#123``) and emoji codes (``:name:``), found in text outside ``code``, ``pre`` and ``a``.

:func:`problems` lists what makes a rendered document not inert: an element a value could have
made (a link, an image, a strikethrough, an HTML element of its own), emphasis or a heading whose
text is not one of ours, a ``<details>`` or ``<sub>`` that is not ours, a mention, a reference or
an emoji code, or a table row whose number of cells differs from its header's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options

__all__ = ["Element", "parse", "problems", "render", "text_of"]

WORD_JOINER = "\N{WORD JOINER}"
#: Elements our renderers write (anything else was made by a value).
OURS = frozenset(
    {
        *("h1", "h2", "h3", "h4", "p", "em", "strong", "code", "pre", "table", "thead", "tbody", "tr", "th", "td"),
        *("ul", "li", "details", "summary", "hr", "br", "sub", "blockquote"),
    }
)
#: What GitHub turns into a notification, a link or an image in rendered text.
_MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9]")
_REFERENCE = re.compile(r"(?<![\w&])#[0-9]")
_EMOJI = re.compile(r":[a-z0-9_+-]+:")
_OUTSIDE = frozenset({"code", "pre", "a"})


def render(markdown: str) -> str:
    """``markdown`` as GitHub's renderer writes it (raw HTML kept)."""
    options = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_VALIDATE_UTF8
    return str(
        cmarkgfm.markdown_to_html_with_extensions(
            markdown, options=options, extensions=["table", "autolink", "strikethrough", "tagfilter"]
        )
    )


@dataclass
class Element:
    tag: str
    children: list[Element | str] = field(default_factory=list)

    def walk(self, ancestors: tuple[str, ...] = ()) -> Iterator[tuple[Element | str, tuple[str, ...]]]:
        for child in self.children:
            yield child, ancestors
            if isinstance(child, Element):
                yield from child.walk((*ancestors, child.tag))

    def find(self, tag: str) -> list[Element]:
        return [node for node, _ in self.walk() if isinstance(node, Element) and node.tag == tag]


_VOID = frozenset(
    ["br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col", "embed", "param", "track"]
)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag)
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def text_of(node: Element | str) -> str:
    """The text a reader sees (our word joiners removed)."""
    if isinstance(node, str):
        return node.replace(WORD_JOINER, "")
    return "".join(text_of(child) for child in node.children)


def _mentions(root: Element) -> list[str]:
    found = []
    for node, ancestors in root.walk():
        if isinstance(node, str) and not _OUTSIDE & set(ancestors):
            for pattern in (_MENTION, _REFERENCE, _EMOJI):
                found += [f"{pattern.pattern} in {node!r}" for _ in pattern.finditer(node)]
    return found


def _table_problems(root: Element) -> list[str]:
    found = []
    for table in root.find("table"):
        header = len(table.find("th"))
        for row in table.find("tr")[1:]:
            if len(row.find("td")) != header:
                found.append(f"a row of {len(row.find('td'))} cells under a header of {header}")
    return found


Accept = Callable[[str, str], bool]


def problems(markdown: str, ours: Accept) -> list[str]:
    """What a value made of ``markdown`` once rendered (empty: inert). ``ours(tag, text)`` says
    whether an ``em``, ``strong``, heading, ``summary`` or ``sub`` with that text is one we write."""
    root = parse(render(markdown))
    found = [f"<{n.tag}> made by a value" for n, _ in root.walk() if isinstance(n, Element) and n.tag not in OURS]
    for tag in ("em", "strong", "h1", "h2", "h3", "h4", "summary", "sub"):
        found += [f"<{tag}>{text_of(e)!r} is not ours" for e in root.find(tag) if not ours(tag, text_of(e))]
    found += ["<details> without our <summary>" for e in root.find("details") if not e.find("summary")]
    return found + _mentions(root) + _table_problems(root)


_FENCE = re.compile(r"(`{3,})([a-z]*)$")


def balanced(markdown: str) -> bool:
    """Whether every code fence is closed and every ``<details>`` line outside fences has its
    ``</details>`` (in order), read line by line as CommonMark reads fences."""
    fence: str | None = None
    depth = 0
    for line in markdown.split("\n"):
        if fence is not None:
            if line.startswith(fence) and line.strip("`") == "":
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
        elif line.startswith("<details>"):
            depth += 1
        elif line == "</details>":
            depth -= 1
            if depth < 0:
                return False
    return fence is None and depth == 0

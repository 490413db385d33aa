"""The HTML report read back with the standard library's parser, for the tests of reports/report_page.py."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """The parts of a page the tests look at: every start tag, text per open-element path, tables' rows."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[tuple[tuple[str, ...], str]] = []
        self.rows: dict[str, int] = {}
        self.groups: dict[str, int] = {}  # bars (<g>) per chart figure
        self.ids: set[str] = set()
        self.style = ""
        self._open: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if "id" in attributes:
            assert attributes["id"] not in self.ids, f"duplicate id {attributes['id']}"
            self.ids.add(str(attributes["id"]))
        if tag == "tr" and self._inside("tbody"):
            table = self._nearest("table")
            self.rows[table] = self.rows.get(table, 0) + 1
        if tag == "g":
            figure = self._nearest("figure")
            self.groups[figure] = self.groups.get(figure, 0) + 1
        if tag not in ("meta", "line", "rect"):  # void elements here (and self-closed SVG shapes)
            self._open.append((tag, attributes))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self._open and self._open[-1][0] == tag, f"</{tag}> closes {self._open[-1:]}"
        self._open.pop()

    def handle_data(self, data: str) -> None:
        path = tuple(tag for tag, _ in self._open)
        if path and path[-1] == "style":
            self.style += data
        self.texts.append((path, data))

    def _inside(self, tag: str) -> bool:
        return any(open_tag == tag for open_tag, _ in self._open)

    def _nearest(self, tag: str) -> str:
        for open_tag, attributes in reversed(self._open):
            if open_tag == tag:
                return str(attributes.get("id"))
        return ""

    def text(self) -> str:
        return "".join(data for _, data in self.texts)

    def structure(self) -> list[tuple[str, tuple[str, ...]]]:
        """Tags and their attribute names, in order: what hostile text must never change."""
        return [(tag, tuple(sorted(attributes))) for tag, attributes in self.tags]

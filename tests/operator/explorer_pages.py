# SPDX-License-Identifier: MIT
"""Reading the explorer's HTML in tests: every element with its attributes and its text
(html.parser from the standard library; the pages are well-formed, and SVG elements
close themselves)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_VOID = {"meta", "br", "input", "img", "link", "hr", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag, self.attrs, self._text = tag, attrs, []

    @property
    def text(self) -> str:
        """The text inside, whitespace collapsed."""
        return re.sub(r"\s+", " ", "".join(self._text)).strip()

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Page(HTMLParser):
    """The elements of one HTML page, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                return

    def handle_data(self, data):
        for element in self._open:
            element._text.append(data)

    def find(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        """The elements of ``tag`` (any tag: None) having class ``cls`` (any: None)."""
        return [e for e in self.elements if (tag is None or e.tag == tag)
                and (cls is None or cls in e.classes)]

    def by_id(self, ident: str) -> Element:
        found = [e for e in self.elements if e.attrs.get("id") == ident]
        assert len(found) == 1, f"{len(found)} elements with id {ident!r}"
        return found[0]

    def text(self, ident: str) -> str:
        return self.by_id(ident).text


def polyline_points(page: Page, cls: str) -> list[tuple[float, float]]:
    """The points of the SVG polyline of class ``cls``."""
    (line,) = page.find("polyline", cls)
    return [tuple(map(float, p.split(","))) for p in line.attrs["points"].split()]

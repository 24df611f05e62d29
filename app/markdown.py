"""Text people format themselves (a lesson, fieldtype Markdown), shown as HTML that keeps its
shape and can run nothing: rendered by markdown-it-py (CommonMark, raw HTML off), then cleaned
by nh3 against an allow-list of tags and attributes; links open safely."""

from __future__ import annotations

from markupsafe import Markup

TAGS = {
    "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "hr", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
SCHEMES = {"http", "https", "mailto"}


def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable("table")


_md = None


def render(text: str | None) -> Markup:
    """``text`` (Markdown) as safe HTML: line breaks kept, headings, lists, links, tables."""
    import nh3

    global _md
    if not text:
        return Markup("")
    if _md is None:
        _md = _parser()
    html = _md.render(str(text))
    clean = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES, link_rel="noopener noreferrer nofollow")
    return Markup(clean)

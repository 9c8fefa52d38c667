"""Markdown notes as MediaWiki markup, to paste into a wiki such as Movilab.

The note is parsed with the same parser as the portal (raw HTML off), then its
tokens are written as wikitext; every character of the text that means something
to MediaWiki is written as an entity, so a note can format itself but never
inject a template, a tag or a link it did not write as a link.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
# Meaningful anywhere in a line: tags, entities, links, templates, tables, quotes,
# headings, signatures. Meaningful at the start of a line only: lists, indents,
# rules, preformatted text, table cells.
_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "<>&[]{}|'=~"})
_LINE_START = ":;*#-! "
_PRE = str.maketrans({"<": "&lt;", ">": "&gt;", "&": "&amp;"})


def escape(text: str) -> str:
    """Text that reads as itself wherever it lands in a wikitext line."""
    text = " ".join(text.splitlines()).translate(_ESCAPES).replace("__", "&#95;&#95;")
    if text[:1] and text[0] in _LINE_START:
        text = f"&#{ord(text[0])};{text[1:]}"
    return text


def _inline(tokens: list[Token]) -> str:
    out: list[str] = []
    link: list[str] | None = None
    href = ""
    for token in tokens:
        target = link if link is not None else out
        if token.type == "text":
            target.append(escape(token.content))
        elif token.type == "softbreak":
            target.append(" ")
        elif token.type == "hardbreak":
            target.append("<br />")
        elif token.type in ("strong_open", "strong_close"):
            target.append("'''")
        elif token.type in ("em_open", "em_close"):
            target.append("''")
        elif token.type == "s_open":
            target.append("<s>")
        elif token.type == "s_close":
            target.append("</s>")
        elif token.type == "code_inline":
            target.append(f"<code>{escape(token.content)}</code>")
        elif token.type == "image":
            target.append(escape(token.content))
        elif token.type == "link_open":
            href = str(token.attrGet("href") or "")
            link = []
        elif token.type == "link_close" and link is not None:
            text = "".join(link)
            safe = href.startswith(("http://", "https://", "mailto:")) and not any(
                c in href for c in " []<>\"'|{}")
            out.append(f"[{href} {text}]" if safe else text)
            link = None
    return "".join(out)


def to_wikitext(markdown: str, shift: int = 0) -> str:
    """MediaWiki markup for a note body written in Markdown; its headings are moved
    ``shift`` levels down, below the heading of the page section it goes in."""
    tokens = _MARKDOWN.parse(markdown or "")
    lines: list[str] = []
    lists: list[str] = []
    current = ""
    row: list[str] = []
    head = False
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            current = "=" * min(6, int(token.tag[1]) + shift)
        elif kind == "inline":
            text = _inline(token.children or [])
            if current.startswith("="):
                lines.append(f"{current} {text} {current}")
                current = ""
            elif current == "cell":
                row.append(text)
            elif lists:
                lines.append(f"{''.join(lists)} {text}")
            elif current == "quote":
                lines.append(f"<blockquote>{text}</blockquote>")
            else:
                lines.append(text)
                lines.append("")
        elif kind == "bullet_list_open":
            lists.append("*")
        elif kind == "ordered_list_open":
            lists.append("#")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                lines.append("")
        elif kind == "blockquote_open":
            current = "quote"
        elif kind == "blockquote_close":
            current = ""
            lines.append("")
        elif kind in ("fence", "code_block"):
            lines.append(f"<pre>{token.content.rstrip().translate(_PRE)}</pre>")
            lines.append("")
        elif kind == "hr":
            lines.append("----")
        elif kind == "table_open":
            lines.append('{| class="wikitable"')
        elif kind in ("thead_open", "thead_close"):
            head = kind == "thead_open"
        elif kind == "tr_open":
            row = []
        elif kind in ("th_open", "td_open"):
            current = "cell"
        elif kind in ("th_close", "td_close"):
            current = ""
        elif kind == "tr_close":
            mark = "!" if head else "|"
            lines.append("|-")
            lines.append(f"{mark} " + f" {mark * 2} ".join(row))
        elif kind == "table_close":
            lines.append("|}")
            lines.append("")
    return "\n".join(lines).strip() + "\n"


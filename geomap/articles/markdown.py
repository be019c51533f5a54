"""Markdown stripped lightly to its text; the first heading is the title."""

from __future__ import annotations

import re

_MD_ATX = re.compile(r"[ ]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_MD_SETEXT = re.compile(r"[ ]{0,3}(?:=+|-+)[ \t]*")
_MD_RULE = re.compile(r"[ ]{0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})")
_MD_FENCE = re.compile(r"[ ]{0,3}(?:```|~~~).*")
_MD_QUOTE = re.compile(r"^[ ]{0,3}(?:>[ ]?)+")
_MD_LIST = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_MD_LINK_DEF = re.compile(r"[ ]{0,3}\[[^\]]+\]:[ \t]*\S+.*")
_MD_TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*")
_MD_INLINE = [
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), ""),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*"), r"\1"),
    (re.compile(r"(?<!\w)_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)"), r"\1"),
]


def _md_inline(line: str) -> str:
    for pattern, repl in _MD_INLINE:
        line = pattern.sub(repl, line)
    return line


def strip_markdown(text: str) -> tuple[str, str | None]:
    """Strip Markdown markup lightly; return (text, title from the first heading)."""
    out: list[str] = []
    title: str | None = None
    in_fence = False
    previous_plain = False
    for raw in text.split("\n"):
        if _MD_FENCE.fullmatch(raw):
            in_fence = not in_fence
            previous_plain = False
            continue
        if in_fence:
            out.append(raw)
            continue
        if m := _MD_ATX.fullmatch(raw):
            heading = _md_inline(m[1]).strip()
            title = title or heading or None
            out.append(heading)
            previous_plain = False
            continue
        if previous_plain and out and _MD_SETEXT.fullmatch(raw):
            title = title or out[-1].strip() or None
            previous_plain = False
            continue
        if _MD_RULE.fullmatch(raw) or _MD_LINK_DEF.fullmatch(raw) or _MD_TABLE_RULE.fullmatch(raw):
            previous_plain = False
            continue
        line = _MD_LIST.sub("", _MD_QUOTE.sub("", raw))
        if line.lstrip().startswith("|"):
            line = " ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
        line = _md_inline(line)
        out.append(line)
        previous_plain = bool(line.strip())
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(out))
    return body, title

"""The assistant's texts as Telegram HTML, split into messages Telegram accepts.

Plain functions with no framework imports. The assistant writes a little Markdown (``**bold**``,
``[label](https://…)`` links, ``- `` bullets); everything else is escaped, so nothing a person
or the knowledge content writes can inject markup.

>>> markdown_to_html("**Fee:** 440 zł <b>, see [MOS](https://mos.cudzoziemcy.gov.pl)")
'<b>Fee:</b> 440 zł &lt;b&gt;, see <a href="https://mos.cudzoziemcy.gov.pl">MOS</a>'
"""
from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

MAX_MESSAGE_LENGTH = 4096  # Telegram's limit, in UTF-16 code units

_LINK = r"\[(?P<label>[^\[\]\n]+)\]\((?P<url>https?://[^\s()<>\"]+)\)"
_BOLD = r"\*\*(?P<bold>\S(?:[^\n]*?\S)?)\*\*"
_LINK_RE = re.compile(_LINK)
_INLINE_RE = re.compile(f"{_LINK}|{_BOLD}")
_BULLET_RE = re.compile(r"^([ \t]*)[-*][ \t]+", re.MULTILINE)
# A tag, an entity, or one character: the units a split may fall between.
_ATOM_RE = re.compile(r"<[^<>]*>|&#?\w+;|.", re.DOTALL)
_TAG_NAME_RE = re.compile(r"</?([A-Za-z][\w-]*)")
_TAGS_RE = re.compile(r"<[^<>]*>")

# Ranks of the places a message may be split at, best first.
_PARAGRAPH, _LINE, _WORD, _ANYWHERE = range(4)


def link(url: str, label: str) -> str:
    """An HTML link with both parts escaped."""
    return f'<a href="{escape(url, quote=True)}">{escape(label, quote=False)}</a>'


def markdown_to_html(text: str) -> str:
    """Telegram HTML for ``text``: links, bold and bullets converted, everything else escaped."""
    return _convert(_BULLET_RE.sub("\\1• ", text), _INLINE_RE)


def _convert(text: str, pattern: re.Pattern[str]) -> str:
    parts: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        parts.append(escape(text[position:match.start()], quote=False))
        if match.group("url"):
            parts.append(link(match.group("url"), match.group("label")))
        else:
            parts.append(f"<b>{_convert(match.group('bold'), _LINK_RE)}</b>")
        position = match.end()
    parts.append(escape(text[position:], quote=False))
    return "".join(parts)


def source_links(urls: list[str]) -> str:
    """The sources' domains (``www.`` dropped, each once) as links to the first source on each."""
    first_url: dict[str, str] = {}
    for url in urls:
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            continue
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        if host:
            first_url.setdefault(host, url)
    return ", ".join(link(url, host) for host, url in first_url.items())


def visible_text(html: str) -> str:
    """What a person sees of ``html``: tags dropped, the few entities we write decoded."""
    text = _TAGS_RE.sub("", html)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def utf16_length(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def split_html(html: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split ``html`` into parts of at most ``limit`` UTF-16 units.

    Splits at a paragraph break, else a line break, else a space, and only as a last resort
    inside a word; never inside a tag or an entity. Tags open at a split are closed at the end
    of one part and opened again at the start of the next. Parts with no visible text are dropped.
    """
    if utf16_length(html) <= limit:
        return [html] if visible_text(html).strip() else []
    atoms = _ATOM_RE.findall(html)
    parts: list[str] = []
    start, opened = 0, []
    while start < len(atoms):
        cut, still_open = _cut(atoms, start, opened, limit)
        body = "".join(opened) + "".join(atoms[start:cut]).rstrip() + _closing(still_open)
        if visible_text(body).strip():
            parts.append(body)
        start, opened = cut, still_open
        while start < len(atoms) and atoms[start].isspace():
            start += 1
    return parts


def _closing(opened: list[str]) -> str:
    return "".join(f"</{_tag_name(tag)}>" for tag in reversed(opened))


def _tag_name(tag: str) -> str:
    match = _TAG_NAME_RE.match(tag)
    return match.group(1) if match else ""


def _rank(atoms: list[str], end: int, start: int) -> int:
    """How good a place for a split the point before ``atoms[end]`` is."""
    before = atoms[end - 1]
    if before == "\n":
        return _PARAGRAPH if end - 2 >= start and atoms[end - 2] == "\n" else _LINE
    return _WORD if before.isspace() else _ANYWHERE


def _cut(atoms: list[str], start: int, opened: list[str], limit: int) -> tuple[int, list[str]]:
    """Where the part starting at ``atoms[start]`` ends, and the tags still open there."""
    stack = list(opened)
    size = sum(utf16_length(tag) for tag in opened)
    best: dict[int, tuple[int, list[str], int]] = {}
    end = start
    while end < len(atoms):
        atom = atoms[end]
        if atom.startswith("</"):
            stack = stack[:-1]
        elif atom.startswith("<"):
            stack = [*stack, atom]
        size += utf16_length(atom)
        end += 1
        if size + utf16_length(_closing(stack)) > limit:
            break
        best[_rank(atoms, end, start)] = (end, stack, size)
    else:
        return end, stack
    for rank in (_PARAGRAPH, _LINE, _WORD):
        if rank in best and best[rank][2] >= limit // 3:
            return best[rank][:2]
    if best:
        return max(best.values(), key=lambda found: found[0])[:2]
    return end, stack  # one atom longer than the limit: never loop forever

"""Automatic checks on a ticket's replies (issue 11) as pure functions over plain data: no database.

``run(ctx, rules, *, min_chars)`` returns per check kind ``{"ok": True | False | None, "detail": str}``
(``None``: not applicable yet) and the automatic score (100 minus the points of every failed check,
never below 0). The checks:

- **greeting**: the first public reply contains a greeting phrase;
- **closing**: once the ticket is resolved, the last public reply contains a closing phrase;
- **forbidden** (服务禁语): no public reply contains a forbidden phrase *as words*. Replies and phrases are
  cut into words by the knowledge base's segmenter (jieba, ``kefu.knowledge.segment``, dictionary only so
  that a phrase is cut the same way everywhere); a phrase matches when its words appear one after another in
  the reply: "这个不归我管" has 不归我管, "我们都不知道德经" (不知/道德经) does not have 不知道;
- **first_response** / **resolution**: the ticket's own time limits (``first_response_due`` and
  ``resolution_due``, already moved for pauses) were kept; judged once the response / resolution happened;
- **standard_reply**: judged once the ticket is resolved, and only when a standard reply exists for its
  topic (an approved article whose category or title names one of the ticket's tags or its root cause):
  it is *used* when a public reply quotes at least ``min_chars`` consecutive characters of it (spaces
  ignored) — the way an agent inserts a standard reply and adds a word of their own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

GREETING = "greeting"
CLOSING = "closing"
FORBIDDEN = "forbidden"
FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
STANDARD_REPLY = "standard_reply"
KINDS = (GREETING, CLOSING, FORBIDDEN, FIRST_RESPONSE, RESOLUTION, STANDARD_REPLY)
SEP = "\x1f"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rule:
    kind: str
    weight: int
    phrases: tuple[str, ...] = ()


@dataclass
class Context:
    replies: Sequence[str]  # the public replies, oldest first
    resolved: bool = False
    first_response_due: dt.datetime | None = None
    first_responded_at: dt.datetime | None = None
    resolution_due: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    standard_replies: Sequence[str] = field(default_factory=tuple)  # the texts for the ticket's topic


def _cut(text: str) -> list[str]:
    from kefu.knowledge.segment import tokenizer

    return [w for w in tokenizer().cut(text, HMM=False) if w.strip()]


@lru_cache(maxsize=2048)
def phrase_key(phrase: str) -> str:
    """A phrase as its words joined and padded with a separator (cached: phrases rarely change)."""
    return SEP + SEP.join(_cut(phrase)) + SEP


def words_key(text: str) -> str:
    return SEP + SEP.join(_cut(text)) + SEP


# jieba cuts each run of these characters on its own (its ``re_han_default``): a phrase made of them is cut
# the same within its run as within the whole text, so only the runs that contain it need cutting.
_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.UNICODE)


def found_phrases(text: str, phrases: Iterable[str], *, cache: dict[str, str] | None = None) -> list[str]:
    """The phrases found in ``text`` as whole words, in the order given. Only a run of text that contains a
    phrase as plain characters is cut into words (a phrase's words joined are the phrase), so a reply
    without any phrase costs no segmentation at all; ``cache`` keeps the cut runs between calls."""
    out: list[str] = []
    if not text:
        return out
    cache = {} if cache is None else cache
    for phrase in phrases:
        phrase = _SPACE.sub("", phrase or "")
        if not phrase or phrase not in text:
            continue
        runs = [b for b in _BLOCK.findall(text) if phrase in b] if _BLOCK.fullmatch(phrase) else [text]
        for run_text in runs:
            key = cache.get(run_text)
            if key is None:
                key = cache[run_text] = words_key(run_text)
            if phrase_key(phrase) in key:
                out.append(phrase)
                break
    return out


def _grams(text: str, n: int) -> set[str]:
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def quotes(reply: str, standard: str, min_chars: int) -> bool:
    """Whether ``reply`` contains ``min_chars`` consecutive characters of ``standard`` (spaces ignored)."""
    return quotes_any([reply], [standard], min_chars)


def quotes_any(replies: Sequence[str], standards: Sequence[str], min_chars: int) -> bool:
    """Whether any reply quotes ``min_chars`` consecutive characters of any standard reply (spaces ignored;
    a standard reply shorter than that must be quoted whole). The standard replies' character runs are
    listed once; the replies are scanned until the first quote."""
    wanted: dict[int, set[str]] = {}
    for standard in standards:
        standard = _SPACE.sub("", standard or "")
        n = min(min_chars, len(standard))
        if n > 0:
            wanted.setdefault(n, set()).update(_grams(standard, n))
    for reply in replies:
        reply = _SPACE.sub("", reply or "")
        for n, grams in wanted.items():
            if any(reply[i:i + n] in grams for i in range(len(reply) - n + 1)):
                return True
    return False


def run(ctx: Context, rules: Mapping[str, Rule], *, min_chars: int = 10) -> tuple[dict[str, dict], int]:
    results: dict[str, dict] = {}
    replies = [r for r in ctx.replies if (r or "").strip()]
    cut: dict[str, str] = {}

    def put(kind: str, ok: bool | None, detail: str = "") -> None:
        if kind in rules:
            results[kind] = {"ok": ok, "detail": detail[:300]}

    if GREETING in rules:
        put(GREETING, bool(found_phrases(replies[0], rules[GREETING].phrases, cache=cut)) if replies else None)
    if CLOSING in rules:
        put(CLOSING, bool(found_phrases(replies[-1], rules[CLOSING].phrases, cache=cut))
            if replies and ctx.resolved else None)
    if FORBIDDEN in rules:
        hits: list[str] = []
        for reply in replies:
            hits += [p for p in found_phrases(reply, rules[FORBIDDEN].phrases, cache=cut) if p not in hits]
        put(FORBIDDEN, not hits if replies else None, "、".join(hits))
    if FIRST_RESPONSE in rules:
        ok = None
        if ctx.first_response_due is not None and ctx.first_responded_at is not None:
            ok = ctx.first_responded_at <= ctx.first_response_due
        put(FIRST_RESPONSE, ok)
    if RESOLUTION in rules:
        ok = None
        if ctx.resolution_due is not None and ctx.resolved_at is not None:
            ok = ctx.resolved_at <= ctx.resolution_due
        put(RESOLUTION, ok)
    if STANDARD_REPLY in rules:
        ok = None
        if ctx.resolved and ctx.standard_replies:
            ok = quotes_any(replies, ctx.standard_replies, min_chars)
        put(STANDARD_REPLY, ok)
    lost = sum(rules[k].weight for k, r in results.items() if r["ok"] is False)
    return results, max(0, 100 - lost)

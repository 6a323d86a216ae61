"""What a proposed version changes against the approved one (difflib), for the head who approves it.

Rows are side by side: the approved text on the left, the proposal on the right; a changed line pair
also carries character-level segments so the page can mark exactly what changed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from kefu.knowledge.models import ArticleVersion


@dataclass
class Segment:
    text: str
    changed: bool


@dataclass
class Row:
    kind: str  # "equal", "replace", "delete", "insert"
    left_no: int | None
    left: list[Segment]
    right_no: int | None
    right: list[Segment]


@dataclass
class VersionDiff:
    old: ArticleVersion | None
    new: ArticleVersion
    title_changed: bool
    keywords_added: list[str] = field(default_factory=list)
    keywords_removed: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    unified: str = ""

    @property
    def has_changes(self) -> bool:
        return self.title_changed or bool(self.keywords_added or self.keywords_removed) or any(
            r.kind != "equal" for r in self.rows)


def _inline(a: str, b: str) -> tuple[list[Segment], list[Segment]]:
    left: list[Segment] = []
    right: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            left.append(Segment(a[i1:i2], tag != "equal"))
        if j2 > j1:
            right.append(Segment(b[j1:j2], tag != "equal"))
    return left, right


def _rows(old_lines: list[str], new_lines: list[str]) -> list[Row]:
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                line = old_lines[i1 + k]
                rows.append(Row("equal", i1 + k + 1, [Segment(line, False)], j1 + k + 1, [Segment(line, False)]))
            continue
        left = old_lines[i1:i2]
        right = new_lines[j1:j2]
        for k in range(max(len(left), len(right))):
            a = left[k] if k < len(left) else None
            b = right[k] if k < len(right) else None
            if a is not None and b is not None:
                segs_a, segs_b = _inline(a, b)
                rows.append(Row("replace", i1 + k + 1, segs_a, j1 + k + 1, segs_b))
            elif a is not None:
                rows.append(Row("delete", i1 + k + 1, [Segment(a, True)], None, []))
            else:
                rows.append(Row("insert", None, [], j1 + k + 1, [Segment(b, True)]))
    return rows


def version_diff(old: ArticleVersion | None, new: ArticleVersion) -> VersionDiff:
    """The changes of ``new`` against ``old`` (the approved version; None for a first version)."""
    old_body = old.body if old else ""
    old_lines = old_body.splitlines()
    new_lines = new.body.splitlines()
    old_keywords = old.keyword_list if old else []
    new_keywords = new.keyword_list
    unified = "\n".join(difflib.unified_diff(
        old_lines, new_lines, fromfile=f"v{old.number}" if old else "-", tofile=f"v{new.number}", lineterm=""))
    return VersionDiff(
        old=old,
        new=new,
        title_changed=(old.title if old else "") != new.title,
        keywords_added=[k for k in new_keywords if k not in old_keywords],
        keywords_removed=[k for k in old_keywords if k not in new_keywords],
        rows=_rows(old_lines, new_lines),
        unified=unified,
    )

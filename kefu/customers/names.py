"""Pinyin forms of a name for search: "张三" → ("zhangsan", "zs").

pypinyin is imported on first use, not with this module: its phrase dictionary takes about 50 MiB in
every process that loads it, and only writing a customer's name needs it (searching compares the stored
forms). A web worker that never creates or renames a customer stays that much lighter (issue 13)."""

from functools import lru_cache


@lru_cache(maxsize=65536)
def pinyin_forms(name: str) -> tuple[str, str]:
    """Cached: names repeat a lot (an import of 100,000 rows spends a tenth of its time here)."""
    from pypinyin import Style, lazy_pinyin

    full = lazy_pinyin(name, errors="default")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(full).lower().replace(" ", "")[:300], "".join(initials).lower().replace(" ", "")[:100]

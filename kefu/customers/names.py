"""Pinyin forms of a name for search: "张三" → ("zhangsan", "zs")."""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65536)
def pinyin_forms(name: str) -> tuple[str, str]:
    """Cached: names repeat a lot (an import of 100,000 rows spends a tenth of its time here)."""
    full = lazy_pinyin(name, errors="default")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(full).lower().replace(" ", "")[:300], "".join(initials).lower().replace(" ", "")[:100]

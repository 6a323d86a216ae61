"""Pinyin forms of a name for search: "张三" → ("zhangsan", "zs")."""

from pypinyin import Style, lazy_pinyin


def pinyin_forms(name: str) -> tuple[str, str]:
    full = lazy_pinyin(name, errors="default")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(full).lower().replace(" ", "")[:300], "".join(initials).lower().replace(" ", "")[:100]

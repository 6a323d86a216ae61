"""Chinese word segmentation for the knowledge base search (R-TIC-9), with jieba.

jieba is loaded on first use only (its dictionary takes about a second to build the first time),
its log messages are silenced, and its cache file lives under ``settings.DATA_DIR`` instead of the
system's temporary directory.

Searching works on *words*: a text is stored as its space-separated words (``search_text``,
padded with a space at each end), and a query matches when every one of its words is one of those
words — "退款" finds "申请退款的流程" (申请 退款 的 流程), "款的" does not.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings

_lock = threading.Lock()
_tokenizer = None

# Function words dropped from a *query* (never from the indexed text) so that "怎么退款" finds
# "申请退款的流程". A query made only of such words keeps them.
QUERY_STOPWORDS = frozenset(
    ["的", "了", "吗", "呢", "吧", "啊", "呀", "哦", "么", "和", "与", "及", "或", "是", "在", "有", "我", "你", "您", "他", "她", "它", "我们", "你们", "要", "想", "能", "会", "可以", "怎么", "怎么办", "怎样", "如何", "什么", "为什么", "哪里", "哪些", "请问", "请", "一下"]
)


# Customer-service terms jieba's general dictionary splits badly ("7天无理由退货" → "天无"): added at
# start-up so that a word is cut the same way in the query as in the stored text.
DOMAIN_WORDS = (
    "无理由", "七天无理由", "7天无理由", "无理由退货", "退货退款", "仅退款", "运费险", "价保", "保价", "补发",
    "换货", "丢件", "催件", "拒收", "签收", "破损", "漏发", "错发", "退运费", "开发票", "电子发票", "会员等级",
    "积分兑换", "优惠券", "售后", "返修", "以旧换新", "安抚", "投诉", "工单", "客服",
)


def tokenizer():
    """The shared jieba tokenizer, initialised once (thread-safe)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                cache_dir = Path(settings.DATA_DIR) / "cache"
                cache_dir.mkdir(parents=True, exist_ok=True)
                jieba.dt.tmp_dir = str(cache_dir)
                jieba.dt.initialize()
                for word in DOMAIN_WORDS:
                    jieba.dt.add_word(word, freq=20_000)
                _tokenizer = jieba.dt
    return _tokenizer


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def words(text: str) -> list[str]:
    """The distinct search words of ``text`` in order (lower-cased; punctuation and spaces dropped)."""
    out: list[str] = []
    seen: set[str] = set()
    if not text:
        return out
    for token in tokenizer().cut_for_search(text):
        word = token.strip().lower()
        if word and _is_word(word) and word not in seen:
            seen.add(word)
            out.append(word)
    return out


def query_words(q: str) -> list[str]:
    """The words a query must all match: segmented like the indexed text, function words dropped."""
    found = words(" ".join((q or "").split()))
    kept = [w for w in found if w not in QUERY_STOPWORDS] or found
    # jieba's search mode yields "无理", "理由", "无理由", "无理由退货" for "无理由退货"; a text may be cut
    # into other long words around the same short ones ("7天无理由" + "退货"), so a query asks for its
    # shortest words only: a word made longer by another query word inside it is dropped.
    return [w for w in kept if not any(o != w and len(o) > 1 and o in w for o in kept)]


def split_keywords(keywords) -> list[str]:
    """Keywords as a clean list, from a list or from text separated by commas, 、, ； or spaces."""
    if isinstance(keywords, list | tuple):
        raw = [str(k) for k in keywords]
    else:
        text = str(keywords or "")
        for sep in ("，", "、", ";", "；", "\n"):
            text = text.replace(sep, ",")
        raw = text.split(",")
    out: list[str] = []
    for item in raw:
        for part in item.split():
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def padded(items: list[str]) -> str:
    """Words joined for storage: `` w1 w2 … `` (a space at each end, so " w " matches whole words)."""
    return f" {' '.join(items)} " if items else ""


def build_search_text(*, title: str, keywords: list[str], body: str) -> str:
    """Title, keywords (each also whole) and body as one padded space-separated word list."""
    items = words(title)
    for keyword in keywords:
        for word in [keyword.strip().lower(), *words(keyword)]:
            if word and _is_word(word) and word not in items:
                items.append(word)
    for word in words(body):
        if word not in items:
            items.append(word)
    return padded(items)


def build_title_text(title: str) -> str:
    return padded(words(title))

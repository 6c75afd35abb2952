"""Text to search tokens, for Chinese and English alike (DESIGN.md §2.2, knowledge base).

Chinese is segmented with jieba's search mode (``cut_for_search``: a long word also yields its
shorter words, so "机顶盒" is found by "机顶盒" and by "顶盒"); English words are lower-cased and
cut down by a small suffix stemmer, so "refunds", "refunded" and "refunding" all become one
token. Stop words of both languages are dropped. Articles and queries go through the very same
function, so a token stored for an article is exactly what a query asks for; matching is plain
equality on an indexed column, which works the same on SQLite and PostgreSQL.

jieba loads its dictionary (about half a second, some 60 MB) the first time text is segmented,
once per process and under a lock; it reads only the files shipped in its package (plus its
own cache file in the temporary directory) and never touches the network.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

# How much one occurrence counts, by where it stands: a word of the title says more about an
# article than a tag, and a tag more than a word of the body.
TITLE_WEIGHT = 8
TAG_WEIGHT = 4
BODY_WEIGHT = 1
BODY_MAX = 3  # a word repeated in the body counts at most this often
MAX_TOKEN_LENGTH = 64
MAX_QUERY_TOKENS = 24

# Words of the trade that jieba's general dictionary splits apart or does not know.
DOMAIN_WORDS = (
    "携号转网",
    "光猫",
    "副卡",
    "主卡",
    "复机",
    "停机",
    "销户",
    "过户",
    "降档",
    "限速",
    "提速",
    "装机",
    "移机",
    "拆机",
    "话费",
    "流量包",
    "月租",
    "套餐外",
    "融合套餐",
    "宽带账号",
    "亲情号",
    "实名制",
    "补换卡",
    "验证码",
    "扣费",
    "退订",
    "增值业务",
)

_ZH_STOP = """
    的 了 着 过 是 在 有 和 与 及 或 而 并 也 都 就 还 又 再 才 只 很 太 更 最 被 把 让 给 对 从 向 往 到 于 以 为
    之 其 此 这 那 哪 些 个 么 吗 呢 吧 啊 呀 哦 嗯 哈 啦 嘛 哪里 这里 那里 这个 那个 这些 那些 这样 那样 这么 那么
    我 你 您 他 她 它 我们 你们 他们 她们 它们 咱们 自己 大家 本人
    请 请问 请您 麻烦 谢谢 您好 你好 一下 一个 一些 一直 已经 可以 可能 能够 需要 如何 怎么 怎样 怎么办 为什么 什么
    如果 因为 所以 但是 可是 然后 或者 以及 还是 就是 不是 没 没有 不 别 会 能 要 想 得 地 等 等等
    上 下 里 后 前 来 去 时 时候 之后 以后 要求 希望 反映 表示 认为 进行 通过 帮忙 帮 一次
"""
ZH_STOP_WORDS = frozenset(_ZH_STOP.split())

_EN_STOP = """
    a an the and or but if then else of to in on at by for with from into onto about as is are was were be been
    being am do does did done doing have has had having i me my mine you your yours he him his she her it its we us
    our they them their this that these those there here what which who whom whose when where why how can could
    will would shall should may might must not no nor so too very just than also only own same such any all each
    both few more most other some again further once up down out off over under please thanks thank hi hello dear
    i'm it's don't can't isn't
"""
EN_STOP_WORDS = frozenset(_EN_STOP.split())

_ASCII_WORD = re.compile(r"^[a-z0-9][a-z0-9'._+-]*$")
_PUNCTUATION = re.compile(r"^[\W_]+$")
_lock = threading.Lock()
_ready = False
logger = logging.getLogger("sqm.knowledge")


def _jieba() -> Any:
    """jieba, with its dictionary loaded and SQM's domain words added (once per process)."""
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                for word in DOMAIN_WORDS:
                    jieba.add_word(word)
                _ready = True
    return jieba


def warm_up() -> None:
    """Load jieba's dictionary now rather than on the first search (e.g. before a server forks)."""
    _jieba()


def stem(word: str) -> str:
    """A deliberately small English stemmer: the same word family gives the same token.

    "refunds", "refunded", "refunding" → "refund"; "charges", "charged" → "charg"; "bills",
    "billing" → "bil". Tokens are never shown, they only have to agree between index and query.
    """
    if not word.isalpha():
        return word
    if len(word) <= 3:
        pass
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word


def _normalise(token: str) -> str | None:
    """One raw jieba token as a search token, or None for blanks, punctuation and stop words."""
    token = token.strip().lower()
    if not token or _PUNCTUATION.match(token):
        return None
    if token.isascii():
        if not _ASCII_WORD.match(token) or token in EN_STOP_WORDS:
            return None
        token = stem(token.strip("'._+-"))
    elif token in ZH_STOP_WORDS:
        return None
    return token[:MAX_TOKEN_LENGTH] or None


def tokens(text: str) -> Iterator[str]:
    """Every search token of ``text`` in order, repeats included (Chinese and English mixed)."""
    text = unicodedata.normalize("NFKC", text or "")
    if not text.strip():
        return
    for raw in _jieba().cut_for_search(text):
        token = _normalise(raw)
        if token:
            yield token


def query_tokens(text: str) -> list[str]:
    """The distinct tokens of a search box entry, in the order typed (at most a couple of dozen)."""
    seen: dict[str, None] = {}
    for token in tokens(text):
        seen.setdefault(token, None)
        if len(seen) >= MAX_QUERY_TOKENS:
            break
    return list(seen)


def index_weights(*, title: str, tags: Iterable[str], body: str) -> dict[str, int]:
    """Each token of an article with its weight: title 8, tag 4, body 1 per use (at most 3), summed."""
    weights: Counter[str] = Counter()
    for token in set(tokens(title)):
        weights[token] += TITLE_WEIGHT
    for token in set(tokens(" ".join(tags))):
        weights[token] += TAG_WEIGHT
    for token, count in Counter(tokens(body)).items():
        weights[token] += BODY_WEIGHT * min(count, BODY_MAX)
    return dict(weights)


def term_counts(text: str) -> Counter[str]:
    """How often each token occurs in ``text``: the "TF" of suggestions' TF-IDF."""
    return Counter(tokens(text))

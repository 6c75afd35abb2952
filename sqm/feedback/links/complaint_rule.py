"""Does a comment read as a complaint? A transparent lexicon scorer (DESIGN.md §2.5, issue 6 point 6).

Pure: no database, no settings. :func:`score` cuts a comment into clauses (at punctuation), each
clause into words (Chinese with jieba, English by letters), and adds up the weights of the words
and short phrases it knows:

* complaint words and phrases weigh positive (``垃圾 3``, ``太慢 2``, ``refund 2``), praise words
  negative (``满意 -2``, ``不错 -2``, ``helpful -2``); a phrase may span up to three words
  (``态度`` + ``差``), the longest match wins;
* a **negation** up to three words before a term (不, 没有, 并不, not, never …), or glued to it
  (``不好用`` = 不 + 好用), turns praise into complaint (``不满意``, ``不好``, ``not helpful``)
  at full weight, and a complaint into mild praise (``不慢``, ``没问题``) at half weight;
* an **intensifier** just before a term (很, 太, 非常, very, so …) multiplies it by 1.5;
* after a **contrast** (但是, 可是, 不过, but …) complaint terms weigh 1.5 times: the sentence
  after "but" is usually the point.

A comment whose total reaches the threshold reads as a complaint. Every matched term comes back
with its effective weight, so the page that shows a rule's verdict can say why.

The word lists are data: :class:`Lexicon` parses the ``word weight`` lines a quality manager
edits (one per line, ``#`` starts a comment). The defaults below were written by hand from
general complaint vocabulary and checked on a development sample of real reviews (see
``bench/complaint_rule.py`` and docs/feedback.md for the measured precision and recall).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

MAX_SPAN = 3  # words a phrase may span
LOOK_BACK = 3  # words a negation may stand before its term
INTENSITY = 1.5
CONTRAST = 1.5
NEGATED_COMPLAINT = 0.5  # 不慢: a complaint word negated counts as half as much praise

CLAUSE_SPLIT = re.compile(r"[，,。.！!？?；;：:、\n\r~～…]+")
HAN = re.compile(r"[\u4e00-\u9fff]")
EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

DEFAULT_THRESHOLD = Decimal("1.5")

DEFAULT_ZH = """
# 强烈的抱怨
垃圾 3
差评 3
投诉 3
难吃 3
差劲 3
很差 3
太差 3
最差 3
极差 3
上当 3
骗人 3
骗子 3
坑人 3
恶心 3
假货 3
退款 2.5
退货 2.5
退钱 2.5
失望 2.5
后悔 2.5
无语 2.5
糟糕 2.5
发霉 2.5
变质 2.5
欺骗 2.5
忽悠 2.5
敷衍 2.5
态度差 3
态度 不好 3
态度恶劣 3
不耐烦 2.5
不满意 3
不满 2
再也不 3
再也 不会 3
不会再 2.5
不会 再来 3
别买 3
千万别 3
千万不要 3
不要买 3
不推荐 3
不值 2.5
不值得 2.5
不符 2
不行 2.5
不好 2.5
不能用 2.5
坏了 2.5
破了 2
破损 2.5
烂 2
差 2
太慢 2.5
慢死 3
太久 2
太贵 2
太小 1.5
太少 1.5
太硬 1.5
太薄 1.5
太咸 1.5
太油 1.5
太淡 1.5
太吵 2
太旧 2
太脏 2
凉了 2
洒了 2
送错 2.5
漏 1.5
少了 1.5
脏 1.5
吵 1
臭 2
异味 2
噪音 1.5
掉色 2
起球 2
褪色 2
质量 差 3
质量 不好 3
郁闷 2
生气 2
气愤 2.5
无奈 1
可惜 1.5
遗憾 1.5
怀疑 1.5
麻烦 1.5
严重 1.5
毛病 1.5
故障 1.5
问题 1
没法 1.5
无法 1.5
竟然 1.5
居然 1.5
根本 1.5
简直 1.5
明明 1.5
难道 1.5
怎么回事 2
为什么 1
结果 1
一般 1.5
慢 1.5
贵 1
换货 1.5
联系 不上 2
没人 1.5
不理 2
无聊 2.5
没意思 2.5
没必要 1.5
没用 2
没啥用 2
不爽 2.5
难用 2.5
奇慢 3
盗版 2.5
没收到 2.5
未收到 2.5
还没 1
不买 2
浪费 2
粗糙 2
模糊 1.5
死机 2.5
卡顿 2.5
黑屏 2.5
没反应 2
发热 1.5
发烫 1.5
掉线 2
划痕 2
二手 2
翻新 2.5
瑕疵 2
次品 2.5
假的 2.5
饿死 2.5
不咋地 2.5
不怎么样 2.5
一般般 2
反胃 2.5
醉了 2
打不通 2.5
干巴巴 2
没味道 2
咸 1
腻 1.5
油腻 2
凉 1.5
凉透 2.5
洒 2
少送 2.5
漏送 2.5
没送 2.5
给错 2.5
催 1.5
迟迟 2
晚了 1.5
太晚 2
超时 2
伤心 2
倒闭 2.5
降价 1.5
差价 1.5
闹心 2
反感 2.5
讨厌 2.5
简陋 2
陈旧 2
老旧 2
拥挤 2
潮湿 2
霉味 2.5
虫子 2
烟味 1.5
坑 2.5
气死 3
搞错 2
不信 2
忍 1.5
不去 2
小气 2
偏小 1.5
缺点 1.5
不足 1.5
太 1.5
有点 0.5
# 称赞（负权重）
意义 -1
新意 -1
用处 -1
兴趣 -1
效果 -1
愉快 -1.5
开心 -1.5
正品 -1.5
靠谱 -1.5
稳定 -1
适合 -1
甜 -1
满意 -2
不错 -2
挺不错 -2
很好 -2
好评 -2.5
五星 -2
推荐 -1.5
喜欢 -2
满分 -2
赞 -2
棒 -2
很棒 -2
完美 -2
实惠 -2
划算 -2
超值 -2
性价比 -1
值得 -1.5
合适 -2
合身 -2
舒服 -1.5
舒适 -1.5
好用 -2
好吃 -2
好看 -1.5
漂亮 -1.5
精致 -1.5
清晰 -1.5
流畅 -1.5
安静 -1.5
干净 -1.5
新鲜 -1.5
方便 -1
及时 -1.5
很快 -1.5
快 -1
热情 -1.5
周到 -1.5
耐心 -1.5
专业 -1
感谢 -2
谢谢 -1.5
辛苦 -1.5
放心 -1.5
给力 -2
支持 -1
还会 -2
回购 -2
一如既往 -2
好 -1
"""

DEFAULT_EN = """
# complaints
terrible 3
awful 3
horrible 3
worst 3
rude 3
useless 3
complaint 3
complain 3
refund 2.5
disappointed 2.5
disappointing 2.5
unacceptable 3
waste 2.5
scam 3
never again 3
poor 2
bad 2
broken 2
slow 2
late 1.5
waited 1.5
ignored 2.5
unhelpful 3
annoyed 2
angry 2.5
still not 2
not fixed 2.5
problem 1
# praise (negative weight)
great -2
good -1.5
excellent -2.5
helpful -2
friendly -2
fast -1.5
quick -1.5
satisfied -2
happy -2
thanks -1.5
thank -1.5
recommend -1.5
perfect -2
"""

NEGATIONS = "不 没 没有 别 未 无 并不 不太 不是 不够 不怎么 毫无 从不 从没 not no never hardly don't didn't isn't wasn't won't can't"
INTENSIFIERS = "很 太 比较 非常 特别 超 超级 极 极其 真 真的 十分 相当 巨 贼 太过 好 so very really too extremely"
CONTRASTS = "但是 但 可是 不过 就是 只是 然而 可惜 结果 but however though"
NEGATION_PREFIXES = ("不", "没", "没有", "别", "未", "无")


def _log_quietly() -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)


@dataclass(frozen=True)
class Lexicon:
    """Weighted terms (a term is one word or up to three words joined by spaces), negations,
    intensifiers, contrast words and the threshold; build one with :meth:`parse`."""

    terms: dict[tuple[str, ...], float]
    negations: frozenset[str]
    intensifiers: frozenset[str]
    contrasts: frozenset[str]
    threshold: float
    negation_handling: bool = True

    @classmethod
    def parse(
        cls,
        *,
        zh: str = DEFAULT_ZH,
        en: str = DEFAULT_EN,
        negations: str = NEGATIONS,
        intensifiers: str = INTENSIFIERS,
        contrasts: str = CONTRASTS,
        threshold: Decimal | float = DEFAULT_THRESHOLD,
        negation_handling: bool = True,
    ) -> Lexicon:
        """A lexicon from the editable text: ``word weight`` lines (see :func:`parse_terms`)."""
        terms = {**parse_terms(zh), **parse_terms(en)}
        return cls(
            terms=terms,
            negations=frozenset(negations.lower().split()),
            intensifiers=frozenset(intensifiers.lower().split()),
            contrasts=frozenset(contrasts.lower().split()),
            threshold=float(threshold),
            negation_handling=negation_handling,
        )


class LexiconError(ValueError):
    """A line of a word list that is not ``word weight``; ``line`` is 1-based."""

    def __init__(self, line: int, text: str) -> None:
        self.line, self.text = line, text
        super().__init__(f"line {line}: {text!r}")


def parse_terms(text: str) -> dict[tuple[str, ...], float]:
    """``word weight`` lines into ``{("word",): weight}``; words of a phrase are separated by
    spaces (``态度 差 3``); blank lines and ``#`` comments are skipped. The weight must be a
    number from -10 to 10; a malformed line raises :class:`LexiconError`."""
    out: dict[tuple[str, ...], float] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.lower().split()
        if len(parts) < 2 or len(parts) > MAX_SPAN + 1:
            raise LexiconError(number, raw)
        try:
            weight = float(parts[-1])
        except ValueError as exc:
            raise LexiconError(number, raw) from exc
        if not -10 <= weight <= 10 or weight != weight:  # NaN
            raise LexiconError(number, raw)
        key = tuple(parts[:-1])
        out[_joined(key)] = weight
    return out


def _joined(words: tuple[str, ...]) -> tuple[str, ...]:
    """Chinese phrases match however jieba cuts them: ``态度 差`` and ``态度差`` are one key."""
    if all(HAN.search(w) for w in words):
        return ("".join(words),)
    return words


@dataclass
class Verdict:
    """What :func:`score` found: the total, whether it reaches the threshold, and each term
    matched with its effective weight (after negation, intensifier and contrast)."""

    score: float
    complaint: bool
    hits: list[tuple[str, float]] = field(default_factory=list)

    def explain(self) -> str:
        """``太慢 +2.5, 满意 -2.0`` (at most ten terms)."""
        return ", ".join(f"{term} {weight:+.1f}" for term, weight in self.hits[:10])


def tokenize(clause: str) -> list[str]:
    """Words of one clause: jieba for Chinese (lower-cased), letters for English."""
    if HAN.search(clause):
        import jieba

        _log_quietly()
        return [t for t in (w.strip().lower() for w in jieba.lcut(clause)) if t]
    return EN_WORD.findall(clause.lower())


def clauses(text: str) -> list[str]:
    return [c for c in CLAUSE_SPLIT.split(text or "") if c.strip()]


def _match(tokens: list[str], i: int, lexicon: Lexicon) -> tuple[int, str, float] | None:
    """The longest term starting at word ``i``: (words used, term, weight)."""
    for span in range(min(MAX_SPAN, len(tokens) - i), 0, -1):
        words = tuple(tokens[i : i + span])
        for key in {words, ("".join(words),)}:
            if key in lexicon.terms:
                return span, " ".join(key), lexicon.terms[key]
    return None


def _glued_negation(token: str, lexicon: Lexicon) -> tuple[str, float] | None:
    """``不好用`` → (好用, weight of 好用), ``不太好`` → (好, …): a negation jieba kept inside
    the word. A negation word itself (不太, 没有) is no negated term."""
    if token in lexicon.negations:
        return None
    prefixes = {p for p in lexicon.negations if HAN.search(p)} | set(NEGATION_PREFIXES)
    for prefix in sorted(prefixes, key=len, reverse=True):
        rest = token[len(prefix) :]
        if token.startswith(prefix) and rest and (rest,) in lexicon.terms:
            return rest, lexicon.terms[(rest,)]
    return None


def score(text: str, lexicon: Lexicon) -> Verdict:
    """Score one comment against ``lexicon`` (see the module doc)."""
    total = 0.0
    hits: list[tuple[str, float]] = []
    contrast = False
    seen: set[str] = set()
    for clause in clauses(text):
        tokens = tokenize(clause)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token in lexicon.contrasts and (token,) not in lexicon.terms:
                contrast = True
                i += 1
                continue
            found = _match(tokens, i, lexicon)
            negated_inside = False
            if found is None and lexicon.negation_handling:
                glued = _glued_negation(token, lexicon)
                if glued is not None:
                    found, negated_inside = (1, token, glued[1]), True
            if found is None:
                i += 1
                continue
            span, term, weight = found
            before = tokens[max(0, i - LOOK_BACK) : i]
            negated = negated_inside or (lexicon.negation_handling and any(t in lexicon.negations for t in before))
            if negated:
                weight = -weight if weight < 0 else -weight * NEGATED_COMPLAINT
            if i > 0 and tokens[i - 1] in lexicon.intensifiers:
                weight *= INTENSITY
            if contrast and weight > 0:
                weight *= CONTRAST
            if term in seen:  # a term counts once: a long text repeating it is not angrier
                i += span
                continue
            seen.add(term)
            total += weight
            hits.append((f"¬{term}" if negated and not negated_inside else term, weight))
            i += span
    total = round(total, 3)
    return Verdict(total, total >= lexicon.threshold, hits)


DEFAULT_LEXICON: Lexicon | None = None


def default_lexicon() -> Lexicon:
    """The built-in lexicon (parsed once)."""
    global DEFAULT_LEXICON
    if DEFAULT_LEXICON is None:
        DEFAULT_LEXICON = Lexicon.parse()
    return DEFAULT_LEXICON


@dataclass
class Counts:
    """A confusion matrix: complaint (label 0 in the sample) is the positive class."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, actual: bool, predicted: bool) -> None:
        if actual and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else None

    def as_dict(self) -> dict[str, float | int | None]:
        def r4(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "n": self.n,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": r4(self.precision),
            "recall": r4(self.recall),
            "f1": r4(self.f1),
        }


def evaluate(samples: list[tuple[str, bool]], lexicon: Lexicon) -> Counts:
    """Confusion matrix of the lexicon on (text, is_complaint) pairs."""
    counts = Counts()
    for text, actual in samples:
        counts.add(actual, score(text, lexicon).complaint)
    return counts

#!/usr/bin/env python
"""Precision and recall of the complaint rule's comment classifier (not a test).

Reads the development sample of real Chinese reviews beside the repository
(``../shared/data/feedback/feedback_dev_zh.csv``, label 0 = negative = complaint stand-in; see
its README) where it lies — it is never copied — and scores every review with the built-in
lexicon of :mod:`sqm.feedback.links.complaint_rule`. Prints precision, recall, F1 and the
confusion matrix overall, per business line (``cat``), and on the two halves of the sample: the
lexicon was tuned looking at the **even** ids only, so the **odd** half is the honest figure.

Run:  .venv/bin/python bench/complaint_rule.py [--file PATH] [--threshold 1.5] [--json]
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
from collections import defaultdict
from decimal import Decimal

from sqm.feedback.links import complaint_rule as rule
from sqm.feedback.links import devsample


def _pct(x: float | None) -> str:
    return "   —  " if x is None else f"{x * 100:5.1f}%"


def _line(name: str, c: rule.Counts) -> str:
    return (
        f"{name:<14} {c.n:>5}  P {_pct(c.precision)}  R {_pct(c.recall)}  F1 {_pct(c.f1)}"
        f"   TP {c.tp:>4}  FP {c.fp:>4}  FN {c.fn:>4}  TN {c.tn:>4}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--threshold", type=Decimal, default=rule.DEFAULT_THRESHOLD)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", type=int, default=0, help="show this many false positives and negatives")
    args = parser.parse_args()
    reviews = devsample.load(args.file)
    if reviews is None:
        print(f"The development sample is not there ({args.file or devsample.default_path()}).", file=sys.stderr)
        return 2
    lexicon = rule.Lexicon.parse(threshold=args.threshold)
    overall, even, odd = rule.Counts(), rule.Counts(), rule.Counts()
    by_cat: dict[str, rule.Counts] = defaultdict(rule.Counts)
    wrong: list[tuple[str, rule.Review | devsample.Review, rule.Verdict]] = []  # type: ignore[name-defined]
    for review in reviews:
        verdict = rule.score(review.text, lexicon)
        for counts in (overall, by_cat[review.cat], even if review.even else odd):
            counts.add(review.complaint, verdict.complaint)
        if verdict.complaint != review.complaint:
            wrong.append(("FP" if verdict.complaint else "FN", review, verdict))
    if args.json:
        print(
            json.dumps(
                {
                    "threshold": str(args.threshold),
                    "all": overall.as_dict(),
                    "even_tuned": even.as_dict(),
                    "odd_held_out": odd.as_dict(),
                    "by_cat": {cat: c.as_dict() for cat, c in sorted(by_cat.items())},
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(f"Complaint rule on {len(reviews):,} reviews, threshold {args.threshold} (complaint = label 0)\n")
    print(_line("all", overall))
    print(_line("even (tuned)", even))
    print(_line("odd (held out)", odd))
    print()
    for cat, counts in sorted(by_cat.items(), key=lambda item: -item[1].n):
        print(_line(cat, counts))
    if args.misses:
        for kind in ("FP", "FN"):
            print(f"\n{kind}:")
            for _k, review, verdict in [w for w in wrong if w[0] == kind and w[1].even][: args.misses]:
                print(f"  {verdict.score:+.1f} [{verdict.explain()}] {review.text[:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

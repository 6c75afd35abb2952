"""Reading the development sample of real customer reviews (``../shared/data/feedback``).

The sample carries no licence to ship: it is read where it lies, beside the repository, and is
never copied into the package, the demo, the tests or the database. Its README says label ``0``
is a negative review, the stand-in for a complaint. Where the file is absent (an installed
product, a machine without ``shared/``) :func:`load` returns None and callers say so.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

RELATIVE = Path("..") / "shared" / "data" / "feedback" / "feedback_dev_zh.csv"


@dataclass(frozen=True)
class Review:
    id: str
    cat: str
    complaint: bool  # label 0 (negative)
    text: str

    @property
    def even(self) -> bool:
        """The tuning half: ids whose hash (after the ``os10-``/``wm-`` prefix) is even."""
        return int(self.id.rsplit("-", 1)[1], 16) % 2 == 0


def default_path() -> Path:
    """``<repository>/../shared/data/feedback/feedback_dev_zh.csv``."""
    return (Path(__file__).resolve().parents[3] / RELATIVE).resolve()


def load(path: Path | None = None) -> list[Review] | None:
    """Every review of the sample, or None when the file is not there."""
    path = path or default_path()
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Review(row["id"], row["cat"], row["label"].strip() == "0", row["review"]) for row in csv.DictReader(handle)
        ]

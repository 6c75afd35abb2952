"""Demo KPIs: the facts and rollups of the demo tickets and ratings, rebuilt after their loaders ran.

``sqm demo`` runs the loaders in INSTALLED_APPS order, so the tickets and the feedback (ratings)
are in place when this one runs. The rebuild commits chunk by chunk itself, hence
``MANAGES_TRANSACTIONS``. From then on the every-minute refresh keeps the rollups current.
"""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction

MANAGES_TRANSACTIONS = True


def load(*, rng: random.Random, shared: dict[str, Any]) -> str:
    """Rebuild every KPI fact and rollup, then add the demo alerts and drills; returns a summary."""
    from sqm.kpis import alerts_demo
    from sqm.kpis.services.rollups import rollups_rebuild

    result = rollups_rebuild()
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.seconds.items() if name != "total")
    with transaction.atomic():
        alerts = alerts_demo.load(rng=rng, shared=shared)
    return (
        f"{result.facts:,} KPI facts from {result.tickets:,} tickets and {result.ratings:,} ratings, "
        f"{result.cells:,} rollup cells [{phases}]; {alerts}"
    )

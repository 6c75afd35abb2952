"""Changes to the alert and contingency-plan models (kept apart from the rollup engine's migrations)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("kpis", "0002_initial")]

    operations: list = []

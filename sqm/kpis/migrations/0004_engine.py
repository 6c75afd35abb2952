"""Changes to the KPI fact, rollup and cursor models."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("kpis", "0003_alerts")]

    operations: list = []

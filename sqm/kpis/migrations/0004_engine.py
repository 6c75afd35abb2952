"""Changes to the KPI fact, rollup and cursor models."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("kpis", "0003_alerts")]

    operations = [
        migrations.AddField(
            model_name="kpicursor",
            name="recent",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]

"""Changes to the alert and contingency-plan models (kept apart from the rollup engine's migrations):
who wrote an alert's rectification plan (separation of duties), and the shipped alert rules and
contingency plans (see sqm/kpis/alert_defaults.py)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def install_defaults(apps, schema_editor):
    from sqm.kpis.alert_defaults import install

    install(apps.get_model("kpis", "AlertRule"), apps.get_model("kpis", "ContingencyPlan"), now=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0002_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="plan_submitted_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Whoever wrote the plan may not verify it (separation of duties).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="plan written by",
            ),
        ),
        migrations.RunPython(install_defaults, migrations.RunPython.noop),
    ]

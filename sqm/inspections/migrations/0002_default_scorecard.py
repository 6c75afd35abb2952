"""Ship the default QA scorecard (QA-DEFAULT v1, effective) so a new centre can inspect at once."""

from django.db import migrations
from django.utils import timezone


def install(apps, schema_editor):
    from sqm.inspections.defaults import install as install_default

    install_default(
        apps.get_model("inspections", "Scorecard"),
        apps.get_model("inspections", "ScorecardSection"),
        apps.get_model("inspections", "ScorecardItem"),
        timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]

from django.db import migrations


def create_defaults(apps, schema_editor):
    from sqm.tickets.sla.defaults import install_sla_defaults

    install_sla_defaults(
        apps.get_model("tickets", "WorkCalendar"),
        apps.get_model("tickets", "CalendarDay"),
        apps.get_model("tickets", "SlaPolicy"),
    )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_sla")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]

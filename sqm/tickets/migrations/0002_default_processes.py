from django.db import migrations


def create_defaults(apps, schema_editor):
    from sqm.tickets.defaults import install_default_processes

    install_default_processes(
        apps.get_model("tickets", "ProcessDefinition"),
        apps.get_model("tickets", "ProcessStep"),
        apps.get_model("tickets", "ControlPoint"),
    )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]

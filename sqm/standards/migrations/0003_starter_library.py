from django.db import migrations


def install(apps, schema_editor):
    from sqm.standards.defaults import install_standard_defaults

    install_standard_defaults(
        apps.get_model("standards", "Standard"),
        apps.get_model("standards", "StandardVersion"),
        apps.get_model("standards", "Clause"),
        apps.get_model("standards", "Indicator"),
        apps.get_model("standards", "SlaTerm"),
        apps.get_model("tickets", "SlaPolicy"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0002_lifecycle"),
        ("tickets", "0006_sla_defaults"),
    ]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]

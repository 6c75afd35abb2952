"""The shipped SLA policies for VIP customers (``sqm.tickets.sla.defaults.TIER_POLICIES``)."""

from django.db import migrations


def create_tier_policies(apps, schema_editor):
    from sqm.tickets.sla.defaults import install_tier_policies

    install_tier_policies(apps.get_model("tickets", "SlaPolicy"))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0010_kpi_hooks"), ("org", "0002_customer_tier")]
    operations = [migrations.RunPython(create_tier_policies, migrations.RunPython.noop)]

"""Indexes for the queues' "soonest due" sorts (keyset on status, due time, id)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_sla_defaults")]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["status", "due_resolution_at", "id"], name="ticket_status_due_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["status", "due_response_at", "id"], name="ticket_status_due_resp_idx"),
        ),
    ]

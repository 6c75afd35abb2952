"""Drop the single-column indexes of Ticket.customer/team/assignee/owner.

Each is the first column of a composite index (see Ticket.Meta), which serves the same lookups
and also the queue's order; with the narrow index present SQLite picked it and sorted a whole
team's history (docs/performance.md). The indexes are dropped by name instead of by AlterField
so that SQLite does not rebuild tickets_ticket, which would lose the search triggers of 0008.
"""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

COLUMNS = ("customer_id", "team_id", "assignee_id", "owner_id")


def drop_single_column_indexes(apps, schema_editor) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "tickets_ticket")
    for name, info in constraints.items():
        if (
            info.get("index")
            and not info.get("unique")
            and not info.get("primary_key")
            and list(info.get("columns") or []) in ([c] for c in COLUMNS)
        ):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def restore_single_column_indexes(apps, schema_editor) -> None:
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name('tickets_ticket_' + column + '_fk')} "
            f"ON tickets_ticket ({schema_editor.quote_name(column)})"
        )


def _fk(to, **kwargs):
    return models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to=to, db_index=False, **kwargs)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0008_search"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="assignee",
                    field=_fk(settings.AUTH_USER_MODEL, blank=True, null=True, related_name="assigned_tickets",
                              verbose_name="assignee"),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="customer",
                    field=_fk(settings.AUTH_USER_MODEL, related_name="tickets", verbose_name="customer"),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="owner",
                    field=_fk(settings.AUTH_USER_MODEL, blank=True, null=True, related_name="owned_tickets",
                              verbose_name="first-contact owner",
                              help_text="The first agent who handled a complaint; stays its owner until closure."),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="team",
                    field=_fk("org.team", blank=True, null=True, related_name="tickets", verbose_name="team"),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_single_column_indexes, restore_single_column_indexes),
            ],
        ),
    ]

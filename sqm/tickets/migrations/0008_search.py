"""Text search over ticket subjects that stays fast on a million tickets, in Chinese and English.

Both databases index the subject as overlapping two-character grams ("宽带无法" → "宽带 带无 无法 法"),
so that a phrase of the query's grams finds exactly the subjects that contain the query, even
for the two-character words Chinese searches mostly use (a trigram index cannot find those).
:func:`sqm.tickets.selectors.filtered` asks the index first and re-checks with ``icontains``.

- SQLite: an FTS5 table without a copy of the text (``content=''``), kept in step by triggers.
- PostgreSQL: a GIN index on ``to_tsvector('simple', sqm_bigrams(subject))`` (an immutable SQL
  function), maintained by PostgreSQL itself. Skipped when the database's character
  classification does not see Chinese characters as letters (a ``C`` locale): search then falls
  back to scanning, which is slower but complete.

Note for later migrations on SQLite: when Django has to rebuild ``tickets_ticket`` (e.g. an
AlterField), the triggers go with the old table; the selector then notices and scans instead.
Re-run ``create_sqlite`` (e.g. ``RunPython(create_sqlite)`` after that operation) to restore them.
"""

from django.db import migrations

POSITIONS = 200  # Ticket.subject's max_length: one gram per character position
TABLE = "tickets_ticket_search"


def grams_sql(column: str) -> str:
    """SQLite: the subject as space-separated two-character grams (same as selectors.search_grams)."""
    return " || ' ' || ".join(f"substr({column}, {i}, 2)" for i in range(1, POSITIONS + 1))


def create_sqlite(schema_editor) -> None:
    new, old = grams_sql("new.subject"), grams_sql("old.subject")
    statements = [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
        "grams, content='', columnsize=0, tokenize='unicode61 remove_diacritics 2')",
        f"DROP TRIGGER IF EXISTS {TABLE}_insert",
        f"DROP TRIGGER IF EXISTS {TABLE}_delete",
        f"DROP TRIGGER IF EXISTS {TABLE}_update",
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON tickets_ticket BEGIN "
        f"INSERT INTO {TABLE}(rowid, grams) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON tickets_ticket BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, grams) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF subject ON tickets_ticket BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, grams) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {TABLE}(rowid, grams) VALUES (new.id, {new}); END",
        f"INSERT INTO {TABLE}({TABLE}) VALUES ('delete-all')",
        f"INSERT INTO {TABLE}(rowid, grams) SELECT id, {grams_sql('subject')} FROM tickets_ticket",
    ]
    for sql in statements:
        schema_editor.execute(sql)


def drop_sqlite(schema_editor) -> None:
    for trigger in ("insert", "delete", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{trigger}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION sqm_bigrams(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT string_agg(substr($1, i, 2), ' ' ORDER BY i) FROM generate_series(1, char_length($1)) AS i $$
"""
PG_INDEX = (
    "CREATE INDEX IF NOT EXISTS ticket_subject_grams_idx ON tickets_ticket "
    "USING gin (to_tsvector('simple', sqm_bigrams(subject)))"
)


def create_postgresql(schema_editor) -> None:
    schema_editor.execute(PG_FUNCTION)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT length(to_tsvector('simple', '宽带'))")
        if cursor.fetchone()[0] == 0:  # Chinese characters are not letters in this database's locale
            return
    schema_editor.execute(PG_INDEX)


def drop_postgresql(schema_editor) -> None:
    schema_editor.execute("DROP INDEX IF EXISTS ticket_subject_grams_idx")
    schema_editor.execute("DROP FUNCTION IF EXISTS sqm_bigrams(text)")


def forwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        create_sqlite(schema_editor)
    elif vendor == "postgresql":
        create_postgresql(schema_editor)


def backwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        drop_sqlite(schema_editor)
    elif vendor == "postgresql":
        drop_postgresql(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_sla_due_sort")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]

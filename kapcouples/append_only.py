"""A table made append-only in the database itself, for migrations: a trigger refuses
every UPDATE and DELETE of its rows, whoever sends them (the application, an admin page,
a hand-typed SQL statement). TRUNCATE stays with the table's owner (test runs flush with it).

On SQLite (the `make run` demo) a migration that rebuilds the table drops its triggers, so
a later migration altering the table must add them again.
"""

from django.db import migrations


def _pg(table: str) -> tuple[list[str], list[str]]:
    function, trigger = f"{table}_refuse_change", f"{table}_append_only"
    add = [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql;""",
        f"""CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {function}();""",
    ]
    drop = [
        f"DROP TRIGGER IF EXISTS {trigger} ON {table};",
        f"DROP FUNCTION IF EXISTS {function}();",
    ]
    return add, drop


def _sqlite(table: str) -> tuple[list[str], list[str]]:
    add = [
        f"""CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END;"""
        for op in ("UPDATE", "DELETE")
    ]
    drop = [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]
    return add, drop


VENDORS = {"postgresql": _pg, "sqlite": _sqlite}


def append_only(table: str) -> migrations.RunPython:
    """The migration operation that makes `table` append-only (and undoes it)."""

    def run(schema_editor, which: int) -> None:
        build = VENDORS.get(schema_editor.connection.vendor)
        for statement in build(table)[which] if build else []:
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(
        lambda apps, schema_editor: run(schema_editor, 0),
        lambda apps, schema_editor: run(schema_editor, 1),
    )

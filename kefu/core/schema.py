"""Migration helpers for big tables.

Turning ``db_index`` off on a foreign key with ``AlterField`` makes Django drop and re-add the foreign
key constraint too, validating it over every row while the table is locked: minutes on millions of
tickets. :func:`drop_field_indexes` drops only the field's own indexes; migrations use it as the
database side of ``SeparateDatabaseAndState`` around the ``AlterField``.
"""

from __future__ import annotations


def _field_index_names(schema_editor, model, column: str) -> list[str]:
    # the field's own single-column indexes (PostgreSQL also has a "_like" one for text columns)
    return [name for name in schema_editor._constraint_names(model, [column], index=True, unique=False,  # noqa: SLF001
                                                              primary_key=False)
            if not name.startswith(("tic_", "cus_", "audit_"))]  # our named indexes stay


def drop_field_indexes(fields: list[tuple[str, str]]):
    """A RunPython pair dropping (forwards) and recreating (backwards) the single-column indexes of
    ``fields``: (model label, field name) pairs."""

    def forwards(apps, schema_editor):
        for label, name in fields:
            model = apps.get_model(label)
            column = model._meta.get_field(name).column
            for index in _field_index_names(schema_editor, model, column):
                schema_editor.execute(schema_editor._delete_index_sql(model, index))  # noqa: SLF001

    def backwards(apps, schema_editor):
        for label, name in fields:
            model = apps.get_model(label)
            field = model._meta.get_field(name)
            if not _field_index_names(schema_editor, model, field.column):
                schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))  # noqa: SLF001

    return forwards, backwards

"""Model instances from SQL written by hand: for the few queries that every request of an observer's
phone runs, where the ORM would spend longer composing the query than the database answering it.

The SQL selects each model's columns with `columns()`, one model after the other; `instances()`
cuts the row returned into those models and converts each value as the ORM does (dates and times
from SQLite's text, booleans from its integers, UUIDs…), so the instances are the ORM's own.

`cursor()` runs them. On PostgreSQL with prepared statements on (DATABASES' `prepare_threshold`,
config/settings.py) it binds the parameters on the server, so that PostgreSQL plans each of these
queries once per connection instead of on every request: planning the station query costs more
than running it. Django's own queries keep binding on the client and are never prepared.
"""

from functools import cache

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Model


def columns(model: type[Model], alias: str) -> str:
    """The model's columns, each prefixed by the table's alias in the query."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _loaders(model: type[Model], vendor: str) -> tuple[list[str], list[tuple]]:
    """The model's attribute names, and for each column its converters, as the ORM's compiler finds
    them for this database (they read only settings, whichever thread's connection found them)."""
    loaders = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        loaders.append((column, converters))
    return [field.attname for field in model._meta.concrete_fields], loaders


def instances(row: tuple, *models: type[Model]) -> tuple[list[Model], tuple]:
    """The models' instances from the start of the row, in order, and what follows them."""
    made, start = [], 0
    for model in models:
        names, loaders = _loaders(model, connection.vendor)
        values = []
        for (column, converters), value in zip(loaders, row[start : start + len(names)], strict=True):
            for convert in converters:
                value = convert(value, column, connection)
            values.append(value)
        made.append(model.from_db(connection.alias, names, values))
        start += len(names)
    return made, row[start:]


def cursor() -> CursorWrapper:
    """A cursor for these queries, logged, instrumented and its errors wrapped like Django's own;
    on PostgreSQL with prepared statements on, one that binds parameters on the server."""
    if (
        connection.vendor != "postgresql"
        or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None
    ):
        return connection.cursor()
    # Here: only PostgreSQL's backend needs psycopg.
    from django.db.backends.postgresql.base import ServerBindingCursor

    # What connection.cursor() does, with a cursor of another class.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
    return _logging_cursor()(raw, connection) if connection.queries_logged else connection.make_cursor(raw)


@cache
def _logging_cursor() -> type[CursorWrapper]:
    from django.db.backends.postgresql.base import CursorDebugWrapper

    class PreparedDebugWrapper(CursorDebugWrapper):
        """Logs each statement as Django logs it with server-side binding, composed with its
        parameters: a prepared statement leaves psycopg no query text to report."""

        def execute(self, sql, params=None):
            with self.debug_sql(self.db.ops.compose_sql(sql, params)):
                return CursorWrapper.execute(self, sql, params)

    return PreparedDebugWrapper

"""Hot statements executed on the driver's cursor, compiled once by SQLAlchemy.

Why: a cached SQLAlchemy Core ``execute`` costs about 35 µs of Python per call on this
machine against 3 µs for the same statement on the sqlite3 cursor (measured, see
docs/benchmarks.md). A single transfer runs nine statements, so on the registry's hottest
path that overhead alone would cap throughput well under the 2,000 transfers/s target.

SQLAlchemy still writes the SQL (one Core statement, compiled per dialect) and still
converts the values (each bound column's own bind processor: timestamps, JSON, booleans),
so the stored representation is identical to what the ordinary path writes. Only the
per-call machinery is skipped. Statements run inside the connection's current transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any]


class _Compiled:
    def __init__(
        self, statement: Executable, dialect: Dialect, column_keys: Sequence[str] | None
    ) -> None:
        compiled = statement.compile(  # type: ignore[attr-defined]
            dialect=dialect, column_keys=list(column_keys) if column_keys else None
        )
        if not isinstance(compiled, SQLCompiler):
            raise TypeError("only SQL statements can be compiled for the driver")
        self.sql: str = compiled.string
        self.positional = bool(compiled.positional)
        names: list[str] = list(compiled.positiontup or []) if self.positional else []
        binds = compiled.binds
        self.names = names if self.positional else list(binds)
        self.processors: dict[str, Processor] = {}
        # Values SQLAlchemy bound itself (e.g. SQLite's OFFSET 0 after a LIMIT).
        self.defaults: dict[str, Any] = {}
        for name in self.names:
            bind = binds[name]
            if bind.value is not None:
                self.defaults[name] = bind.effective_value
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor

    def params(
        self, values: Mapping[str, Any], ready: Mapping[str, Any] | None = None
    ) -> Sequence[Any] | dict[str, Any]:
        """Bound values in driver order; ``ready`` values are already processed."""
        defaults = self.defaults
        processors = self.processors
        bound = []
        for name in self.names:
            if ready is not None and name in ready:
                bound.append(ready[name])
                continue
            value = values[name] if name in values or name not in defaults else defaults[name]
            processor = processors.get(name)
            bound.append(value if processor is None else processor(value))
        if self.positional:
            return tuple(bound)
        return dict(zip(self.names, bound, strict=True))


class DriverStatement:
    """One Core statement, compiled lazily per dialect, run on the raw DBAPI cursor.

    For an INSERT, ``column_keys`` names the columns the rows carry (as SQLAlchemy's
    executemany would infer from the first row).
    """

    def __init__(self, statement: Executable, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.column_keys = column_keys
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(
                self.statement, dialect, self.column_keys
            )
        return compiled

    @staticmethod
    def _cursor(connection: Connection) -> Any:
        return connection.connection.driver_connection.cursor()  # type: ignore[union-attr]

    def rows(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        compiled = self._for(connection)
        params = compiled.params(values)
        cursor = self._cursor(connection)
        try:
            cursor.execute(compiled.sql, params)
            return list(cursor.fetchall())
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(compiled.sql, params, error, connection) from error
        finally:
            cursor.close()

    def many(
        self,
        connection: Connection,
        values: Sequence[Mapping[str, Any]],
        shared: Mapping[str, Any] | None = None,
    ) -> None:
        """Run for every row; ``shared`` values (the same in every row) are processed once."""
        if not values:
            return
        compiled = self._for(connection)
        ready = None
        if shared:
            ready = {
                k: compiled.processors[k](v) if k in compiled.processors else v
                for k, v in shared.items()
            }
        params = [compiled.params(v, ready) for v in values]
        cursor = self._cursor(connection)
        try:
            cursor.executemany(compiled.sql, params)
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(compiled.sql, params, error, connection) from error
        finally:
            cursor.close()


def _wrapped(sql: str, params: Any, error: Exception, connection: Connection) -> BaseException:
    """The same SQLAlchemy exception the ordinary path would raise (lock errors included)."""
    dbapi = connection.dialect.loaded_dbapi
    wrapped = DBAPIError.instance(sql, params, error, dbapi.Error, dialect=connection.dialect)
    return wrapped if isinstance(wrapped, BaseException) else error

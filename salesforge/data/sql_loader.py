"""SQL sources: a SQLAlchemy URL, or a SQLite / DuckDB database file, plus a query or table."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from salesforge.base.loader import Loader, is_url
from salesforge.data.arrow_frame import arrow_to_pandas
from salesforge.errors import ConfigError, DataError

_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class SqlLoaderConfig:
    """Settings of the ``sql`` loader (``data.options.*``)."""

    #: SQL query whose rows are the sales; wins over ``table``.
    query: str | None = None
    #: Table to read whole; ``None`` with no query reads the database's only table.
    table: str | None = None


@dataclass(eq=False)
class SqlLoader(Loader, SqlLoaderConfig):
    """Run ``query`` (or read ``table``) against a database: SQLite and DuckDB files
    directly, anything else through a SQLAlchemy URL (``postgresql://...``)."""

    extensions = (".db", ".sqlite", ".sqlite3", ".duckdb")
    schemes = ("sqlite", "duckdb", "postgresql", "postgres", "mysql", "mariadb", "mssql",
               "oracle", "snowflake", "redshift", "bigquery", "trino", "clickhouse")

    def _load(self, source: Path | str) -> pd.DataFrame:
        if is_url(source):
            scheme, rest = str(source).split("://", 1)
            file = Path(rest.removeprefix("/")) if scheme.lower() in ("sqlite", "duckdb") \
                else None
            if file is not None and str(file) not in ("", ":memory:") and not file.exists():
                raise DataError(f"database file {file} does not exist; set data.path to an "
                                "existing database.")
            if file is not None and scheme.lower() == "duckdb":
                return self._duckdb(file)
            return self._sqlalchemy(str(source))
        with open(source, "rb") as handle:
            magic = handle.read(16)
        if magic == _SQLITE_MAGIC:
            return self._sqlite(Path(source))
        if magic[8:12] == b"DUCK":
            return self._duckdb(Path(source))
        raise DataError(f"data file {source} is neither a SQLite nor a DuckDB database; give a "
                        "database file or a SQLAlchemy URL in data.path.")

    def _sql(self, tables: list[str], source: object) -> str:
        if self.query:
            return str(self.query)
        table = self.table
        if table is None:
            if len(tables) != 1:
                raise ConfigError(f"{source} has {len(tables)} tables ({', '.join(tables)}); "
                                  "choose one with data.options.table=<name> or give "
                                  "data.options.query=<SQL>.")
            table = tables[0]
        if table not in tables:
            raise ConfigError(f"config key data.options.table={table!r} is not a table of "
                              f"{source} (tables: {', '.join(tables) or 'none'}).")
        return 'SELECT * FROM "{}"'.format(table.replace('"', '""'))

    def _sqlite(self, path: Path) -> pd.DataFrame:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            tables = [r[0] for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")]
            sql = self._sql(tables, path)
            try:
                return pd.read_sql_query(sql, connection)
            except Exception as exc:
                raise _query_error(path, sql, exc) from None

    def _duckdb(self, path: Path) -> pd.DataFrame:
        try:
            import duckdb
        except ImportError:
            raise DataError(f"data file {path} is a DuckDB database; install the duckdb "
                            "package (pip install duckdb) to read it.") from None
        with duckdb.connect(str(path), read_only=True) as connection:
            tables = sorted(r[0] for r in connection.execute("SHOW TABLES").fetchall())
            sql = self._sql(tables, path)
            try:
                relation = connection.sql(sql)
                table = relation.to_arrow_table() if hasattr(relation, "to_arrow_table") \
                    else relation.arrow()
            except duckdb.Error as exc:
                raise _query_error(path, sql, exc) from None
        return arrow_to_pandas(table)

    def _sqlalchemy(self, url: str) -> pd.DataFrame:
        try:
            import sqlalchemy
        except ImportError:
            raise DataError("data.path is a database URL; install SQLAlchemy (pip install "
                            "sqlalchemy) and the database's driver to read it.") from None
        shown = sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
        try:
            engine = sqlalchemy.create_engine(url)
            with engine.connect() as connection:
                tables = sorted(sqlalchemy.inspect(connection).get_table_names())
                sql = self._sql(tables, shown)
                try:
                    return pd.read_sql_query(sqlalchemy.text(sql), connection)
                except sqlalchemy.exc.SQLAlchemyError as exc:
                    raise _query_error(shown, sql, exc) from None
        except (ImportError, sqlalchemy.exc.SQLAlchemyError) as exc:
            first = str(exc).strip().splitlines()[0]
            raise DataError(f"database {shown} could not be opened ({first}); check data.path "
                            "and that its driver is installed.") from None


def _query_error(source: object, sql: str, exc: Exception) -> DataError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DataError(f"query {sql!r} failed on {source} ({first}); fix data.options.query.")

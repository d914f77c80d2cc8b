"""SQL queries of the public views, one class per area, over the unit of work's connection."""

from __future__ import annotations

from sqlalchemy import Connection

from jcm.adapters.public.dashboard import SqlDashboardQueries
from jcm.adapters.public.ledger import SqlLedgerQueries
from jcm.adapters.public.projects import SqlProjectQueries


class SqlPublicQueries:
    def __init__(self, connection: Connection) -> None:
        self.projects = SqlProjectQueries(connection)
        self.ledger = SqlLedgerQueries(connection)
        self.dashboard = SqlDashboardQueries(connection)

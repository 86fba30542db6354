"""Exit 0 when the PostgreSQL test database is reachable (creating it if needed), else 1.

Usage: ``python -m tests.postgres_available URL``. Used by ``make test`` to decide whether the
suite runs a second time on PostgreSQL.
"""

import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError


def ensure_database(url: str) -> bool:
    """Return whether the database at ``url`` is reachable, creating it when the server is."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    except OperationalError as exc:
        print(f"PostgreSQL not reachable: {exc.orig}", file=sys.stderr)
        return False
    finally:
        server.dispose()
    return True


if __name__ == "__main__":
    sys.exit(0 if ensure_database(sys.argv[1]) else 1)

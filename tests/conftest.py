"""Fixtures: one app per test session (migrated schema); the database for the tests that
ask for it (``db``: a transaction rolled back after the test).

The suite runs on SQLite by default and on PostgreSQL when ``TEST_DATABASE_URL`` names one
(``make test`` does both). Fixtures are grouped in plugins under ``tests/fixtures``.
"""

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.database",
    "tests.fixtures.factories",
    "tests.fixtures.mail",
]

"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db
from portal.models.search_index import include_object


def _differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        return compare_metadata(context, db.metadata)


def test_migrated_database_matches_the_models(app):
    with app.app_context():
        assert _differences(db.engine) == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(app, tmp_path):
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'roundtrip.sqlite'}",
        }
    )
    with other.app_context():
        try:
            upgrade()
            assert _differences(db.engine) == []
            downgrade(revision="base")
            tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert tables == set()
            upgrade()
            assert _differences(db.engine) == []
        finally:
            db.session.remove()
            db.engine.dispose()

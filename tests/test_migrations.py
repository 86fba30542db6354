"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from portal import create_app
from portal.extensions import db
from portal.models.search_index import include_object


def _differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        return compare_metadata(context, db.metadata)


def test_migrated_database_matches_the_models(app, db):
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


def test_upgrading_a_sqlite_database_keeps_its_photos(tmp_path):
    """The photos table is rebuilt on SQLite (new foreign keys): the stored picture bytes of
    existing photos survive the upgrade and a downgrade (ON DELETE CASCADE would take them)."""
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'photos.sqlite'}",
        }
    )
    with other.app_context():
        try:
            upgrade(revision="a1de6f3bf399")
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO members (id, email, password_hash, nickname, birth_date,"
                        " is_operator, login_stopped, created_at) VALUES (1, 'taro@example.jp',"
                        " 'x', 'たろう', '1990-01-01', false, false, '2008-05-01 12:00:00')"
                    )
                )
                conn.execute(
                    text(
                        "INSERT INTO photos (id, owner_id, position, width, height,"
                        " stored_bytes, created_at) VALUES (1, 1, 1, 4, 3, 3, '2008-05-01')"
                    )
                )
                conn.execute(
                    text("INSERT INTO photo_variants VALUES (1, 'original', 'image/jpeg', :d)"),
                    {"d": b"\xff\xd8\xff"},
                )

            def variants() -> list:
                with db.engine.connect() as conn:
                    return conn.execute(text("SELECT photo_id, data FROM photo_variants")).all()

            upgrade()
            assert variants() == [(1, b"\xff\xd8\xff")]
            downgrade(revision="a1de6f3bf399")
            assert variants() == [(1, b"\xff\xd8\xff")]
        finally:
            db.session.remove()
            db.engine.dispose()

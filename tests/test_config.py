"""Configuration layers: defaults, the instance file, PORTAL_* variables, then create_app()."""

from portal import create_app


def test_layers_apply_in_order(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "portal.cfg").write_text(
        'SIGNUP_POLICY = "open"\nINVITATIONS_PER_MEMBER = 3\nMINIMUM_AGE = 20\n'
    )
    monkeypatch.setenv("PORTAL_INVITATIONS_PER_MEMBER", "5")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    app = create_app({"MINIMUM_AGE": 21, "RATELIMIT_STORAGE_URI": "memory://"}, str(instance))
    assert app.config["SIGNUP_POLICY"] == "open"  # instance file over the default
    assert app.config["INVITATIONS_PER_MEMBER"] == 5  # environment over the instance file
    assert app.config["MINIMUM_AGE"] == 21  # create_app() over everything
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite")
    assert app.config["BABEL_DEFAULT_LOCALE"] == "ja"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Tokyo"


def test_defaults_give_a_sqlite_file_and_a_kept_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    first = create_app({"RATELIMIT_STORAGE_URI": "memory://"})
    second = create_app({"RATELIMIT_STORAGE_URI": "memory://"})
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.sqlite'}"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0

"""The app's request hooks, folded into one before and one after hook, run as Flask runs them."""

from __future__ import annotations

from flask import Flask

from portal import hooks


def _app(fold: bool, answer_early: bool = False) -> tuple[Flask, list[str]]:
    app = Flask(__name__)
    seen: list[str] = []

    for name in ("b1", "b2", "b3"):

        def before(name: str = name) -> str | None:
            seen.append(name)
            return "early" if answer_early and name == "b2" else None

        app.before_request(before)
    for name in ("a1", "a2", "a3"):

        def after(response, name: str = name):
            seen.append(name)
            response.headers.add("X-Order", name)
            return response

        app.after_request(after)

    @app.route("/")
    def page() -> str:
        seen.append("view")
        return "page"

    if fold:
        hooks.fold(app)
    return app, seen


def test_folded_hooks_run_in_flasks_order():
    for answer_early in (False, True):
        runs = []
        for fold in (False, True):
            app, seen = _app(fold, answer_early)
            response = app.test_client().get("/")
            runs.append((seen, response.get_data(), response.headers.getlist("X-Order")))
        assert runs[0] == runs[1]
    assert runs[1][0] == ["b1", "b2", "a3", "a2", "a1"]  # b2 answered: no b3, no view


def test_the_portal_has_one_hook_each_way(app):
    assert len(app.before_request_funcs[None]) == 1
    assert len(app.after_request_funcs[None]) == 1


def test_the_portal_knows_its_views_are_plain_functions(app):
    view = app.view_functions["home.index"]
    assert app.known_sync[view] is view
    assert app.ensure_sync(view) is view

    def later() -> None:  # registered after start-up: Flask is asked
        return None

    assert later not in app.known_sync
    assert app.ensure_sync(later) is later

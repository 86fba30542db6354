"""The app's request hooks folded into one ``before_request`` and one ``after_request`` hook.

Flask pays a little for every hook of every request (``ensure_sync`` asks
``inspect.iscoroutinefunction`` of each, each time); the app registers 8 before and 6 after
hooks of its own and its extensions'. :func:`fold`, called once the app is built, puts them in
one hook each that calls them in Flask's order: before hooks as registered, the first to
return a value ending the chain (it answers the request); after hooks last registered first,
each handing the response to the next. An exception stops the chain there, as in Flask.
Blueprints' own hooks, and hooks registered later, run as Flask runs them.

Flask-WTF's CSRF check does nothing for a method it does not check (``GET``, ``HEAD``): the
folded chain calls it only for the others.

Flask also asks ``ensure_sync`` of the view and of each teardown function on every request:
:class:`PortalFlask` answers those from the table :func:`fold` makes of the functions
registered by then (all plain functions), and asks Flask of any other.
"""

from __future__ import annotations

from collections.abc import Callable
from inspect import iscoroutinefunction
from typing import Any

from flask import Flask, Response, request

from .keitai import KeitaiFlask

Before = Callable[[], Any]
After = Callable[[Response], Response]


class PortalFlask(KeitaiFlask):
    """The portal's app: :class:`~.keitai.ext.KeitaiFlask` whose ``ensure_sync`` knows the
    functions registered at start-up (see :func:`fold`)."""

    #: The plain (not ``async``) functions registered when the app was built.
    known_sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self.known_sync[func]
        except (KeyError, TypeError):  # registered later, or not hashable
            return super().ensure_sync(func)


def _before_chain(hooks: tuple[Before, ...]) -> Before:
    def before_request() -> Any:
        for hook in hooks:
            answer = hook()
            if answer is not None:
                return answer
        return None

    return before_request


def _after_chain(hooks: tuple[After, ...]) -> After:
    def after_request(response: Response) -> Response:
        for hook in hooks:
            response = hook(response)
        return response

    return after_request


def _unsafe_methods_only(hook: Before, methods: frozenset[str]) -> Before:
    def csrf_protect() -> Any:
        if request.method in methods:
            return hook()
        return None

    return csrf_protect


def _is_csrf_check(hook: Callable[..., Any]) -> bool:
    return getattr(hook, "__qualname__", "").startswith("CSRFProtect.")


def fold(app: Flask) -> None:
    """Replace the app's hooks (those of no blueprint) by one before and one after hook."""
    methods = frozenset(app.config.get("WTF_CSRF_METHODS") or ())
    before = [
        _unsafe_methods_only(hook, methods) if _is_csrf_check(hook) and methods else hook
        for hook in app.before_request_funcs.get(None, ())
    ]
    if before:
        app.before_request_funcs[None] = [
            _before_chain(tuple(app.ensure_sync(hook) for hook in before))
        ]
    after = app.after_request_funcs.get(None, [])
    if after:
        app.after_request_funcs[None] = [
            _after_chain(tuple(app.ensure_sync(hook) for hook in reversed(after)))
        ]
    if isinstance(app, PortalFlask):
        app.known_sync = {func: func for func in _registered(app) if not iscoroutinefunction(func)}


def _registered(app: Flask) -> list[Callable[..., Any]]:
    """The views, request hooks and error handlers Flask hands to ``ensure_sync``."""
    found: list[Callable[..., Any]] = list(app.view_functions.values())
    for table in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        for funcs in table.values():
            found.extend(funcs)
    found.extend(app.teardown_appcontext_funcs)
    for by_code in app.error_handler_spec.values():
        for handlers in by_code.values():
            found.extend(handlers.values())
    return found

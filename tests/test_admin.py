"""The operators' pages (/admin): every action and page against every role on both renderings.

A refused action changes nothing: the whole state an admin action could touch is compared
before and after. Requests are made as a crafted form would make them (a valid CSRF token and
session, the action's URL), whether or not the page offers the form.
"""

from __future__ import annotations

import pytest

from tests.browser import DOCOMO_MOVA
from tests.fixtures.factories import log_count, snapshot
from tests.pages import (
    ADMIN_ACTIONS,
    ADMIN_ROLES,
    AGENTS,
    admin_actions,
    as_role,
    assert_fits_d501i,
    client_for,
    forge_post,
    go,
    has_link,
    path_of,
)


@AGENTS
@pytest.mark.parametrize("role", ADMIN_ROLES)
@pytest.mark.parametrize("action", ADMIN_ACTIONS)
def test_admin_actions_against_every_role(app, browser, login, admin_site, action, role, agent):
    path, data, changed = admin_actions(admin_site)[action]
    client = as_role(browser, login, role, agent)
    before, logged = snapshot(app), log_count(app)
    page = forge_post(client, path, data)
    after = snapshot(app)
    if role == "operator":
        assert page.status == 200, (action, page.status, page.text[:500])
        assert changed(after), (action, after)
        assert log_count(app) > logged, action
    else:
        assert after == before, (action, role)
        assert log_count(app) == logged
        if role == "visitor":
            assert page.status == 400 or path_of(page) == "/login", (action, page.url)
        else:
            assert page.status == 403, (action, role, page.status)


ADMIN_PAGES = (
    "/admin",
    "/admin/members",
    "/admin/members?q=target",
    "/admin/members/{target}",
    "/admin/reports",
    "/admin/reports?status=closed",
    "/admin/reports/{report}",
    "/admin/reports/{review_report}",
    "/admin/notices",
    "/admin/notices/new",
    "/admin/notices/{notice}/edit",
    "/admin/notices/{notice}/delete",
    "/admin/settings",
    "/admin/log",
)


@AGENTS
@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_pages_open_only_for_operators(app, browser, login, admin_site, role, agent):
    client = as_role(browser, login, role, agent)
    for pattern in ADMIN_PAGES:
        page = go(client, pattern.format(**admin_site))
        if role == "visitor":
            assert path_of(page) == "/login", (pattern, page.url)
        elif role == "operator":
            if agent == DOCOMO_MOVA:
                assert_fits_d501i(page)
            assert page.status == 200, (pattern, page.status)
        else:
            assert page.status == 403, (pattern, role, page.status)


@AGENTS
def test_operators_reach_the_admin_pages_from_home_and_others_do_not(
    app, browser, login, admin_site, agent
):
    operator = client_for(browser, agent)
    home = login(operator, "operator")
    assert has_link(home, "/admin")
    member = client_for(browser, agent)
    assert not has_link(login(member, "member"), "/admin")

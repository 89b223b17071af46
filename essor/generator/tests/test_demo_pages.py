"""The generated demo populates every page: each demo user opens every entry of their menu, then
the first record each list links to, and finds rows of data (not an empty list) on each."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from essor.accounts.models import User
from essor.generator.services import generate

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

USERS = [
    "manager.region",
    "admin.region",
    "admin.ccis",
    "counsellor.maison",
    "clerk.indh",
    "committee.wilaya",
    "evaluator.irfd",
]
# Menu entries that are not lists of records: the welcome page, the API's documentation, the
# profile; and the workspace, a counsellor's page (checked for the maison's counsellor below).
NOT_LISTS = {"/", "/api/v1/docs/", "/accounts/profile/", "/accompaniment/"}


class Page(HTMLParser):
    """Counts the data rows of a page's tables and gathers its links."""

    def __init__(self) -> None:
        super().__init__()
        self.rows = 0
        self.in_body = 0
        self.cells: list[dict[str, str | None]] = []
        self.nav: list[str] = []
        self.links: list[str] = []
        self.in_nav = 0
        self.in_main = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "nav" and "nav" in (values.get("class") or "").split():
            self.in_nav += 1
        elif tag == "main":
            self.in_main += 1
        elif tag == "tbody":
            self.in_body += 1
        elif tag == "tr" and self.in_body:
            self.cells = []
        elif tag == "td" and self.in_body:
            self.cells.append(values)
        elif tag == "a" and values.get("href"):
            href = values["href"] or ""
            if self.in_nav:
                self.nav.append(href)
            elif self.in_main and href.startswith("/"):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.in_nav:
            self.in_nav -= 1
        elif tag == "main":
            self.in_main -= 1
        elif tag == "tbody":
            self.in_body -= 1
        elif tag == "tr" and self.in_body and self.cells:
            if not any(cell.get("colspan") for cell in self.cells):  # an empty list's one row
                self.rows += 1
            self.cells = []


def read(client: Client, url: str) -> Page:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    page = Page()
    page.feed(response.content.decode())
    return page


def test_every_menu_page_and_the_records_it_lists_have_data() -> None:
    generate(scale="demo", records=800, seed=1, progress=False)
    empty: list[str] = []
    visited: set[str] = set()
    for username in USERS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        home = read(client, "/")
        assert home.nav, username
        for entry in home.nav:
            if entry in NOT_LISTS or (entry in visited and entry != "/"):
                continue
            visited.add(entry)
            page = read(client, entry)
            # A list has rows; an index (home, monitoring) links to records.
            if page.rows == 0 and len(set(page.links)) < 5:
                empty.append(f"{username} {entry}")
                continue
            # The first record the list links to (a detail page of the same section).
            details = [
                link
                for link in page.links
                if link.startswith(entry) and link != entry and re.search(r"/\d+/", link)
            ]
            if details and details[0] not in visited:
                visited.add(details[0])
                read(client, details[0])
    assert empty == [], f"pages without data: {empty}"
    # Whatever day it is, the maison's counsellor has sessions this week and attendance to take.
    client = Client()
    client.force_login(User.objects.get(username="counsellor.maison"))
    workspace = client.get("/accompaniment/").content.decode()
    assert "Aucune cette semaine" not in workspace
    assert "Aucune présence à relever" not in workspace
    assert len(visited) >= 15

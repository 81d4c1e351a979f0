"""Load test of the web pages with locust: signed-in users browsing the demo district.

Run it through ``benchmarks/run_load.py`` (which starts the production server on the loopback
address, runs locust headless with a bounded number of users and time, and prints the figures);
by hand::

    locust -f benchmarks/load_locust.py --headless -u 200 -r 4 -t 5m --host http://127.0.0.1:8765

Each simulated user signs in once with a demo account (``var/demo-accounts.txt``, or the file
named by ``DANGJIAN_LOAD_ACCOUNTS``) and then browses like a person: it waits 1–5 s, then opens a
page of the main navigation (three times in ten) or follows a link of the page it is on — an
organization, a member, a branch's to-do or meeting list, a recruitment case, an assessment. It
only reads: links that change something, download a file or reveal an ID number are not
followed. The accounts are shared as a district's users are: half the users are branch
secretaries (``zb_shuji``), a fifth town committee administrators (``dw_admin``), the rest the
district's 组织部 administrator and inspector and the three administrators of 三员分立.

Only a loopback host is accepted (the test is for this machine's own server, never another's).
"""

from __future__ import annotations

import itertools
import os
import random
import re
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

ACCOUNTS_FILE = Path(os.environ.get("DANGJIAN_LOAD_ACCOUNTS", "var/demo-accounts.txt"))
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

#: who signs in, in this proportion (of every 20 users)
ACCOUNT_MIX = ["zb_shuji"] * 10 + ["dw_admin"] * 4 + ["zzb_admin"] * 2
ACCOUNT_MIX += ["ducha", "xitong", "anquan", "shenji"]
NAV_SHARE = 0.3

#: a link with its query (a list filtered by rule or year needs it: without it the page answers
#: 400, which the walk would count as a failure of the server)
_LINK = re.compile(r'href="(/[^"#]*)"')
_NAV = re.compile(r'<nav class="site-nav".*?</nav>', re.S)
#: links a reading user does not follow: writes, forms, downloads, personal numbers, sign-out
_SKIP = re.compile(
    r"^/(static|accounts|api|survey/s)/|/(new|edit|open|record|reveal|end|roles|unlock|"
    r"attendance|self|spot|veto|import|export|download|ledger|attachments|print|qr|"
    r"statuses|participants|election-delay|confirm|progress|tasks)(/|$)|\.\w+$"
)
_ID = re.compile(r"^[A-Z]*\d+$")
_counter = itertools.count()


def read_accounts(path: Path = ACCOUNTS_FILE) -> dict[str, str]:
    """username → password from the demo accounts file (``user<TAB>password`` lines)."""
    accounts = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            name, password = raw.split("\t")[:2]
            accounts[name] = password
    return accounts


def page_name(path: str) -> str:
    """The statistics name of a path: codes and ids become ``[id]`` (``/orgs/[id]/``), the
    query is left out."""
    path = path.split("?")[0]
    return "/".join("[id]" if _ID.match(part) else part for part in path.split("/"))


def links(html: str) -> tuple[list[str], list[str]]:
    """(navigation links, other links worth following) of a page."""
    nav_match = _NAV.search(html)
    nav = sorted({unescape(u) for u in _LINK.findall(nav_match.group(0))}) if nav_match else []
    found = {unescape(u) for u in _LINK.findall(html)}
    other = sorted(u for u in found if u not in nav and not _SKIP.search(u.split("?")[0]))
    return nav, other


@events.test_start.add_listener
def _loopback_only(environment, **_kwargs):  # type: ignore[no-untyped-def]
    host = urlsplit(environment.host or "").hostname
    if host not in LOOPBACK:
        raise SystemExit(f"load test refused: host {environment.host!r} is not a loopback address")


class DistrictUser(HttpUser):
    """One person of the demo district: signs in, then reads pages (module docstring)."""

    wait_time = between(1, 5)

    def on_start(self) -> None:
        number = next(_counter)
        self.rng = random.Random(number)
        self.username = ACCOUNT_MIX[number % len(ACCOUNT_MIX)]
        self.nav: list[str] = []
        self.here: list[str] = []
        self.login()

    def login(self) -> None:
        password = read_accounts()[self.username]
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": password,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="login (POST)",
            catch_response=True,
        ) as response:
            if response.url is None or "/accounts/login/" in response.url:
                response.failure(f"{self.username}: still on the login page")
                return
            response.success()
            self.remember(response.text)

    def remember(self, html: str) -> None:
        nav, other = links(html)
        self.nav = nav or self.nav
        self.here = other

    @task
    def browse(self) -> None:
        if not self.nav:
            self.login()
            return
        choices = self.here if self.here and self.rng.random() >= NAV_SHARE else self.nav
        path = self.rng.choice(choices)
        with self.client.get(path, name=page_name(path), catch_response=True) as response:
            if response.url and "/accounts/login/" in response.url:
                response.failure("signed out")
                self.nav = []
            elif response.ok:
                self.remember(response.text)

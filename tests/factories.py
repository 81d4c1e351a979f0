"""Test data builders; they go through the services, so test data obeys the real rules."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from dangjian.accounts.models import User
from dangjian.accounts.scope import SYSTEM
from dangjian.accounts.services import user_create
from dangjian.core.idnumber import compose_id
from dangjian.members.models import Member
from dangjian.members.services import MemberInput, member_create
from dangjian.orgs.models import Organization
from dangjian.orgs.services import OrgInput, org_create

_seq = itertools.count(1)
_rng = random.Random(20261122)
PASSWORD = "Dj-test-Passw0rd!"


_issued: set[str] = set()


def make_id_number(birth: dt.date | None = None, *, female: bool | None = None) -> str:
    """A valid, random 18-digit ID number (region 110105) for ``birth`` (by default someone born
    1960–1990, an adult member of any roll a test builds), never the same number twice."""
    while True:
        born = birth or dt.date(1960, 1, 1) + dt.timedelta(days=_rng.randrange(0, 11000))
        serial = _rng.randrange(0, 999)
        if female is not None and (serial % 2 == 1) == female:
            serial = (serial + 1) % 1000
        number = compose_id("110105", born, serial)
        if number not in _issued:
            _issued.add(number)
            return number


def _born_before(joined_on: dt.date) -> dt.date:
    """A random birth date that makes the member at least 18 on ``joined_on`` (a later random
    birth date would make the record invalid and the test depend on the order it runs in)."""
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=_rng.randrange(0, 9000))
    latest = dt.date(joined_on.year - 18, joined_on.month, min(joined_on.day, 28))
    return birth if birth <= latest else latest - dt.timedelta(days=_rng.randrange(0, 3650))


def make_org(
    parent: Organization | None = None,
    *,
    org_type: str = "党支部",
    sector: str = "社区",
    code: str | None = None,
    **extra,
) -> Organization:
    n = next(_seq)
    data = OrgInput(
        code=code or f"T{n:05d}",
        name=extra.pop("name", f"测试{org_type}{n}"),
        org_type=org_type,
        sector=sector,
        **extra,
    )
    return org_create(actor=SYSTEM, data=data, parent=parent)


def make_member(
    org: Organization,
    *,
    member_type: str = "正式党员",
    joined_on: dt.date = dt.date(2010, 7, 1),
    confirmed_on: dt.date | None = None,
    post: str = "",
    phone: str = "",
    **extra,
) -> Member:
    n = next(_seq)
    if member_type == "正式党员" and confirmed_on is None:
        confirmed_on = dt.date(joined_on.year + 1, joined_on.month, min(joined_on.day, 28))
    data = MemberInput(
        name=extra.pop("name", f"党员{n}"),
        id_number=extra.pop("id_number", None) or make_id_number(_born_before(joined_on)),
        member_type=member_type,
        joined_on=joined_on,
        confirmed_on=confirmed_on,
        org=org,
        post=post,
        phone=phone,
        **extra,
    )
    return member_create(actor=SYSTEM, data=data)


def make_user(org: Organization, *roles: str, username: str | None = None) -> User:
    return user_create(
        actor=SYSTEM,
        username=username or f"user{next(_seq)}",
        password=PASSWORD,
        org=org,
        roles=list(roles) or ["org_admin"],
        must_change_password=False,  # the suite's users sign in with PASSWORD as it is
    )

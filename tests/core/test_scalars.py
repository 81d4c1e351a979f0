"""Several single-value reads in one statement (dangjian.core.scalars)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Exists
from django.test.utils import CaptureQueriesContext

from dangjian.core.scalars import first_value, read_at_once
from dangjian.orgs.models import Organization
from tests.factories import make_org

pytestmark = pytest.mark.django_db


def test_values_are_read_in_one_statement_with_their_types() -> None:
    first = make_org(code="T0000001", name="甲支部", founded_on=dt.date(2019, 7, 1))
    second = make_org(code="T0000002", name="乙支部", founded_on=dt.date(2018, 3, 1))
    orgs = Organization.objects.all()
    with CaptureQueriesContext(connection) as ctx:
        read = read_at_once(
            top=first_value(orgs.order_by("-pk").values("pk")),
            bottom=first_value(orgs.order_by("pk").values("pk")),
            name=first_value(orgs.filter(code="T0000001").values("name")),
            founded=first_value(orgs.order_by("-founded_on").values("founded_on")),
            changed=first_value(orgs.order_by("-updated_at").values("updated_at")),
            has_second=Exists(orgs.filter(code="T0000002")),
            has_third=Exists(orgs.filter(code="T0000003")),
        )
    assert len(ctx.captured_queries) == 1
    assert read["top"] == second.pk
    assert read["bottom"] == first.pk
    assert read["name"] == "甲支部"
    # converted as the fields say, on SQLite as on PostgreSQL
    assert read["founded"] == dt.date(2019, 7, 1)
    assert isinstance(read["changed"], dt.datetime)
    assert read["changed"] == Organization.objects.get(pk=second.pk).updated_at
    assert read["has_second"] is True
    assert read["has_third"] is False


def test_no_row_reads_as_none() -> None:
    orgs = Organization.objects.filter(code="无此组织")
    read = read_at_once(top=first_value(orgs.values("pk")), any=Exists(orgs))
    assert read == {"top": None, "any": False}
    assert read_at_once() == {}

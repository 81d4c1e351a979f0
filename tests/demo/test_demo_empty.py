"""``dangjian demo`` on an empty database: refusals before anything is written, and a seed whose
recruitment dates once fell after the day it ran (the module's tests each seed their own)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from dangjian.demo.accounts import accounts_file
from dangjian.orgs.models import Organization
from tests.demo.test_demo import _run


@pytest.fixture
def clean_accounts_file():
    path = accounts_file()
    path.unlink(missing_ok=True)
    yield path
    path.unlink(missing_ok=True)


@pytest.mark.django_db
def test_demo_refuses_a_bad_port():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="端口"):
        call_command("demo", "--no-serve", "--port", "70000", stdout=StringIO())
    assert not Organization.objects.exists()  # refused before the database was seeded


@pytest.mark.django_db
def test_no_recruitment_date_of_the_demo_lies_after_today(clean_accounts_file):
    # seed 7 puts a candidate's talk (step 10) less than five days before the suite's day: the
    # political review, five days after it, fell in the future and the demo stopped
    from django.utils import timezone

    from dangjian.recruit.models import RecruitCase

    assert "已准备就绪" in _run("--seed", "7")
    today = timezone.localdate()
    reviewed = RecruitCase.objects.exclude(political_review_on=None)
    assert reviewed.exists() and not reviewed.filter(political_review_on__gt=today).exists()

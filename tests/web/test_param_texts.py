"""The organization page follows SETUP-TERM-EXPIRING's and SETUP-TERM-EXPIRED's parameters in
force (DANGJIAN_RULES), not fixed numbers: the 即将届满 highlight is the rule's reminder window, the
delay form's help names the longest delay."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.core.dates import add_months
from dangjian.orgs.forms import ElectionDelayForm
from tests.factories import make_org

Tree = dict[str, Any]


@pytest.mark.django_db
def test_term_expiring_highlight_follows_the_reminder_months(
    client: Client, tree: Tree, settings
) -> None:
    # a three-year term that ends in three months
    term = {"term_started_on": add_months(timezone.localdate(), -33), "term_years": 3}
    soon = make_org(tree["town_a"], org_type="党支部", sector="机关", code="BA010", **term)
    client.force_login(tree["admin_a"])
    url = reverse("web:org", args=[soon.code])
    assert "即将届满" in client.get(url).content.decode()
    settings.DANGJIAN_RULES = {"SETUP-TERM-EXPIRING": {"remind_months": 2}}
    assert "即将届满" not in client.get(url).content.decode()
    settings.DANGJIAN_RULES = {"SETUP-TERM-EXPIRING": {"remind_months": 4}}
    assert "即将届满" in client.get(url).content.decode()


@pytest.mark.django_db
def test_delay_help_names_the_longest_delay_in_force(settings) -> None:
    help_text = ElectionDelayForm().fields["new_deadline"].help_text
    assert help_text == "最迟为原届满日期后一年"
    settings.DANGJIAN_RULES = {"SETUP-TERM-EXPIRED": {"max_delay_years": 2}}
    assert ElectionDelayForm().fields["new_deadline"].help_text == "最迟为原届满日期后 2 年"

"""Selectors (scope of campaigns and results, the live preview) and the ``assess`` command."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404

from dangjian.assess.models import Result
from dangjian.assess.selectors import (
    campaigns_for,
    org_preview,
    participants_for,
    self_checks_for,
)
from dangjian.assess.services import self_check_record


def test_campaign_visibility(tree, campaign):
    assert list(campaigns_for(tree["secretary_a"])) == [campaign]  # over an upper organization
    assert list(campaigns_for(tree["admin_b"])) == [campaign]
    assert list(campaigns_for(tree["auditor"])) == []
    assert list(campaigns_for(None)) == []
    codes = [p.org.code for p in participants_for(tree["admin_b"], campaign)]
    assert codes == ["BB001"]


def test_self_checks_of_another_branch_are_404(tree, campaign):
    with pytest.raises(Http404):
        self_checks_for(tree["secretary_a"], campaign, tree["branch_b"])


def test_preview_shows_automatic_parts_and_own_scores(tree, campaign):
    self_check_record(
        actor=tree["secretary_a"],
        campaign=campaign,
        org=tree["branch_a"],
        criterion="1.4",
        points=7,
    )
    p = org_preview(tree["secretary_a"], campaign, tree["branch_a"], at=dt.date(2027, 1, 10))
    assert p.code == "BA001"
    first = p.breakdown["items"][0]["criteria"]
    assert first[0]["source"]["kind"] == "indicator"
    assert first[3]["score"] == 7
    with pytest.raises(Http404):
        org_preview(tree["secretary_a"], campaign, tree["branch_b"])


def test_assess_run_json_prints_one_object_per_organization(tree, campaign):
    out = StringIO()
    call_command(
        "assess",
        "run",
        "--campaign",
        str(campaign.pk),
        "--at",
        "2027-01-10",
        "--format",
        "json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert [r["org"] for r in data["results"]] == ["BA001", "BB001"]
    first = data["results"][0]
    assert set(first) >= {"total", "veto", "stars", "tier", "breakdown", "change"}
    assert data["summary"]["scored"] == 2
    assert Result.objects.count() == 0  # not saved without --save


def test_assess_run_table_and_save(tree, campaign):
    out = StringIO()
    call_command(
        "assess", "run", "--campaign", str(campaign.pk), "--at", "2027-01-10", "--save", stdout=out
    )
    text = out.getvalue()
    assert "BA001" in text and "已保存" in text
    assert Result.objects.filter(campaign=campaign).count() == 2


def test_assess_run_errors(campaign):
    with pytest.raises(CommandError, match="不存在"):
        call_command("assess", "run", "--campaign", "999999")
    with pytest.raises(CommandError, match="json 或 table"):
        call_command("assess", "run", "--campaign", str(campaign.pk), "--format", "xml")

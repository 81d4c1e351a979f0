import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.orgs.models import Organization
from dangjian.orgs.services import OrgInput, org_create, org_move, org_update


def _input(org, **changes):
    data = OrgInput(
        code=org.code,
        name=org.name,
        org_type=org.org_type,
        sector=org.sector,
        region_code=org.region_code,
        term_started_on=org.term_started_on,
        term_years=org.term_years,
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


@pytest.mark.django_db
def test_create_audits_in_same_transaction(tree):
    before = AuditEntry.objects.count()
    org = org_create(
        actor=tree["admin_a"],
        data=OrgInput(code="BA002", name="甲村第二党支部", org_type="党支部", sector="农村"),
        parent=tree["town_a"],
    )
    assert org.path.startswith(tree["town_a"].path)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.object_id, entry.actor_name) == ("org.create", "BA002", "admin_a")
    assert entry.after["parent"] == "TA001"


@pytest.mark.django_db
def test_create_outside_scope_is_denied_and_writes_nothing(tree):
    counts = Organization.objects.count(), AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        org_create(
            actor=tree["admin_b"],
            data=OrgInput(code="X1", name="越权支部", org_type="党支部", sector="农村"),
            parent=tree["town_a"],
        )
    with pytest.raises(PermissionDenied):
        org_create(
            actor=tree["inspector_a"],
            data=OrgInput(code="X2", name="只读", org_type="党支部", sector="农村"),
            parent=tree["town_a"],
        )
    assert (Organization.objects.count(), AuditEntry.objects.count()) == counts


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "BB001"}, "code"),
        ({"code": "含空格 1"}, "code"),
        ({"org_type": "党组"}, "org_type"),
        ({"sector": "外星"}, "sector"),
        ({"region_code": "12345"}, "region_code"),
        ({"term_years": 0}, "term_years"),
        ({"term_started_on": dt.date(2026, 11, 24)}, "term_started_on"),  # the suite day + 1
        ({"org_type": "党委"}, "org_type"),  # the branch has members
    ],
)
def test_update_rejects_bad_input(tree, changes, field):
    org = tree["branch_a"]
    with pytest.raises(ValidationError) as info:
        org_update(actor=tree["admin"], org=org, data=_input(org, **changes))
    assert field in info.value.message_dict
    org.refresh_from_db()
    assert (org.code, org.org_type) == ("BA001", "党支部")


@pytest.mark.django_db
def test_move_refuses_cycle_and_bad_nesting(tree):
    audit = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="循环"):
        org_move(actor=tree["admin"], org=tree["town_a"], new_parent=tree["branch_a"])
    with pytest.raises(ValidationError, match="循环"):
        org_move(actor=tree["admin"], org=tree["town_a"], new_parent=tree["town_a"])
    with pytest.raises(ValidationError, match="党小组"):
        org_move(actor=tree["admin"], org=tree["branch_b"], new_parent=tree["branch_a"])
    assert AuditEntry.objects.count() == audit
    assert Organization.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db
def test_move_carries_subtree_and_keeps_members(tree):
    moved = org_move(actor=tree["admin"], org=tree["branch_a"], new_parent=tree["town_b"])
    assert moved.path.startswith(tree["town_b"].path)
    assert moved.members.count() == 4
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.before["parent"] == "TA001" and entry.after["parent"] == "TB001"
    assert Organization.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db
def test_group_only_under_branch(tree):
    with pytest.raises(ValidationError, match="党小组只能"):
        org_create(
            actor=tree["admin"],
            data=OrgInput(code="G1", name="第一党小组", org_type="党小组", sector="农村"),
            parent=tree["town_a"],
        )

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.members.selectors import subtree_counts
from dangjian.orgs.selectors import org_children
from tests.factories import make_member


@pytest.mark.django_db
def test_subtree_counts_two_queries(tree):
    make_member(tree["branch_a"], member_type="预备党员")
    children = list(org_children(tree["admin"], tree["root"]))
    with CaptureQueriesContext(connection) as ctx:
        counts = subtree_counts(children)
    assert len(ctx.captured_queries) == 2
    a, b = counts[tree["town_a"].pk], counts[tree["town_b"].pk]
    assert (a.orgs, a.full, a.probationary) == (2, 4, 1)
    assert (b.orgs, b.full, b.probationary) == (2, 2, 0)


@pytest.mark.django_db
def test_children_scoped(tree):
    assert list(org_children(tree["admin_b"], tree["town_a"])) == []
    assert [o.code for o in org_children(tree["admin_b"], tree["root"])] == ["TB001"]
    assert [o.code for o in org_children(tree["admin_a"], tree["town_a"])] == ["BA001"]

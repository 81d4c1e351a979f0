"""``dangjian demo --no-serve``: database, demo accounts with the right roles and scopes, table."""

from __future__ import annotations

import stat
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from dangjian.accounts.credentials import must_change_password
from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry
from dangjian.demo.accounts import DEMO_ACCOUNTS, accounts_file, read_passwords
from dangjian.orgs.models import Organization
from tests.conftest import rolled_back_after

EXPECTED = {
    "zzb_admin": "组织部管理员",
    "dw_admin": "党委管理员",
    "zb_shuji": "支部书记",
    "ducha": "督查员",
    "xitong": "系统管理员",
    "anquan": "安全管理员",
    "shenji": "审计管理员",
}


def _run(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--tier", "tiny", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One run of ``dangjian demo`` on the empty database for the module's tests (each runs in
    a savepoint inside it): its output and the passwords it wrote to the accounts file."""
    path = accounts_file()
    path.unlink(missing_ok=True)

    def run() -> dict[str, object]:
        output = _run()
        return {"output": output, "passwords": read_passwords(path)}

    try:
        with rolled_back_after(django_db_blocker, run) as data:
            yield data
    finally:
        path.unlink(missing_ok=True)


@pytest.mark.django_db
def test_demo_prepares_database_and_accounts(seeded):
    output = seeded["output"]
    root = Organization.objects.get(depth=1)
    assert root.name == "中共滨河区委员会"
    assert Organization.objects.count() > 50

    passwords = seeded["passwords"]
    assert set(passwords) == set(EXPECTED)
    assert stat.S_IMODE(accounts_file().stat().st_mode) == 0o600
    for username, label in EXPECTED.items():
        user = User.objects.get(username=username)
        assert user.role_labels == [label]
        assert user.check_password(passwords[username])
        # printed to be used as they are: no change forced at the first login
        assert not must_change_password(user)
        # the table shows each account with its password, role and organization
        line = next(row for row in output.splitlines() if f"| {username} " in row)
        assert passwords[username] in line and label in line and user.org.code in line

    for username in ("zzb_admin", "ducha", "xitong", "anquan", "shenji"):
        assert User.objects.get(username=username).org == root
    town = User.objects.get(username="dw_admin").org
    assert town.depth == 2 and town.org_type in ("党委", "党工委")
    assert town.sector in ("农村", "社区")
    branch = Organization.objects.annotate(
        full=Count("members", filter=Q(members__member_type="正式党员"))
    ).get(pk=User.objects.get(username="zb_shuji").org_id)
    # the secretary's branch is one the setup checker has something to say about
    assert branch.org_type in ("党支部", "联合党支部", "临时党支部") and branch.full < 3
    assert "--no-serve" in output


@pytest.mark.django_db
def test_demo_has_a_role_grant_waiting_for_the_security_admin(seeded, client):
    from dangjian.accounts.models import RoleGrant

    grant = RoleGrant.objects.get(user__username="daipi_shuji")
    assert grant.status == RoleGrant.Status.PENDING
    assert grant.requested_by.username == "xitong" and grant.role == "branch_secretary"
    assert grant.user.role_labels == []  # no member data before the 安全管理员 approves
    assert grant.user.must_change_password  # xitong chose its initial password
    client.force_login(User.objects.get(username="anquan"))
    page = client.get("/security/grants/").content.decode()
    assert "daipi_shuji" in page or "待批准的支部书记" in page


@pytest.mark.django_db
def test_second_run_reuses_data_and_passwords(seeded):
    path = accounts_file()
    kept = path.read_bytes()
    try:
        _second_and_third_runs(path, seeded["passwords"])
    finally:  # the database is rolled back after the test: so is the accounts file
        path.write_bytes(kept)
        path.chmod(0o600)


def _second_and_third_runs(clean_accounts_file, first):
    orgs, users = Organization.objects.count(), User.objects.count()
    entries = AuditEntry.objects.count()

    output = _run()
    assert "沿用已有数据" in output
    assert read_passwords(clean_accounts_file) == first
    assert (Organization.objects.count(), User.objects.count()) == (orgs, users)
    assert AuditEntry.objects.count() == entries  # nothing was written the second time
    for username, _, _ in DEMO_ACCOUNTS:
        assert first[username] in output

    # a lost password file: existing accounts get new passwords, audited, and still work
    clean_accounts_file.unlink()
    _run()
    renewed = read_passwords(clean_accounts_file)
    assert set(renewed) == set(first) and renewed["zzb_admin"] != first["zzb_admin"]
    assert User.objects.get(username="zzb_admin").check_password(renewed["zzb_admin"])
    assert AuditEntry.objects.filter(action="user.password_reset").count() == len(first)


def test_demo_passwords_pass_the_password_policy(monkeypatch):
    from django.contrib.auth.password_validation import validate_password

    from dangjian.demo import accounts

    # the first draw has a run of four "z": it is drawn again
    draws = iter("zzzzAb3xyzAB45cd" + "Ab3xyzAB45cdKmNp")
    monkeypatch.setattr(accounts.secrets, "choice", lambda _alphabet: next(draws))
    password = accounts.new_password()
    assert password == "Ab3xyzAB45cdKmNp"
    validate_password(password)

"""API keys: made by the operator (or someone with the security permission over the subtree),
shown once, kept only as a hash, audited, revocable; the command line's ``open311`` command."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.accounts.scope import SYSTEM
from dangjian.cli import COMMANDS
from dangjian.core.models import AuditEntry
from dangjian.open311.models import ApiKey
from dangjian.open311.selectors import key_for
from dangjian.open311.services import key_create, key_revoke
from dangjian.service.models import Grid
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_key_is_kept_only_as_its_hash(place):
    stored = ApiKey.objects.get(name="随手拍")
    assert len(place.secret) == 40
    assert stored.key_hash == hashlib.sha256(place.secret.encode()).hexdigest()
    assert place.secret not in str(ApiKey.objects.filter(pk=stored.pk).values().get())
    assert stored.prefix == place.secret[:8]
    assert key_for(place.secret) == stored
    assert key_for(place.secret + "x") is None
    assert key_for("") is None
    entry = AuditEntry.objects.get(action="open311.key.create")
    assert place.secret not in str(entry.after)


def test_making_a_key_needs_the_security_permission_over_the_subtree(place):
    secretary = make_user(place.village, "branch_secretary")
    with pytest.raises(PermissionDenied):
        key_create(actor=secretary, name="某系统", org=place.village)
    with pytest.raises(ValidationError, match="已有名为"):
        key_create(actor=SYSTEM, name="随手拍", org=place.village)
    with pytest.raises(ValidationError, match="默认网格"):
        key_create(actor=SYSTEM, name="某系统", org=place.other, default_grid=place.grid)


def test_a_revoked_key_no_longer_works(place):
    key_revoke(actor=SYSTEM, key=place.key)
    assert key_for(place.secret) is None
    assert AuditEntry.objects.filter(action="open311.key.revoke").count() == 1
    key_revoke(actor=SYSTEM, key=place.key)  # revoking twice records nothing new
    assert AuditEntry.objects.filter(action="open311.key.revoke").count() == 1


def test_the_command_shows_the_key_once(place):
    assert COMMANDS["open311"] == "open311"
    out = io.StringIO()
    call_command(
        "open311", "key", "create", "--name", "12345 平台", "--org", "C0001",
        "--grid", place.plain.token, stdout=out,
    )  # fmt: skip
    secret = out.getvalue().strip().splitlines()[-1]
    made = key_for(secret)
    assert made is not None and made.name == "12345 平台" and made.default_grid == place.plain
    listing = io.StringIO()
    call_command("open311", "key", "list", stdout=listing)
    assert "12345 平台" in listing.getvalue() and secret not in listing.getvalue()
    call_command("open311", "key", "revoke", "--name", "12345 平台", stdout=io.StringIO())
    assert key_for(secret) is None
    with pytest.raises(CommandError, match="没有组织编码"):
        call_command("open311", "key", "create", "--name", "x", "--org", "NOPE")


def test_a_grid_whose_token_begins_with_a_dash_is_named_with_an_equals_sign(place):
    """Grids made before tokens avoided a leading dash stay reachable from the command."""
    Grid.objects.filter(pk=place.plain.pk).update(token="-Zq8")
    out = io.StringIO()
    call_command(
        "open311", "key", "create", "--name", "市民热线", "--org", "C0001", "--grid=-Zq8",
        stdout=out,
    )  # fmt: skip
    made = key_for(out.getvalue().strip().splitlines()[-1])
    assert made is not None and made.default_grid == place.plain

"""The demo accounts: one per role, bound to nodes of the seeded district, with random passwords
kept in ``var/demo-accounts.txt`` (mode 0600) so a second run shows the same ones."""

from __future__ import annotations

import os
import random
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Model, Q

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import ROLES
from dangjian.accounts.scope import SYSTEM
from dangjian.accounts.services import user_create
from dangjian.core.audit import AuditAction, audit_record
from dangjian.core.console import text_width
from dangjian.members.choices import MemberType
from dangjian.orgs.choices import ROLL_TYPES, OrgType, Sector
from dangjian.orgs.models import Organization

from . import names

#: (username, role code, where: "root" | "town" | "weak_branch")
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    ("zzb_admin", "org_admin", "root"),
    ("dw_admin", "committee_admin", "town"),
    ("zb_shuji", "branch_secretary", "weak_branch"),
    ("ducha", "inspector", "root"),
    ("xitong", "sys_admin", "root"),
    ("anquan", "security_admin", "root"),
    ("shenji", "audit_admin", "root"),
]

#: an account the 系统管理员 asks a data role for in the demo: the grant waits for the 安全管理员
#: (三员分立), so the approval page has something to decide
PENDING_ACCOUNT = ("daipi_shuji", "branch_secretary", "weak_branch")

_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class DemoAccount:
    username: str
    password: str
    role: str
    org: Organization
    created: bool


def accounts_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-accounts.txt"


def new_password() -> str:
    """16 characters from an unambiguous alphabet, at least one digit, letter and upper case, and
    no character four times in a row (the password policy refuses such runs)."""
    while True:
        value = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        if (
            any(c.isdigit() for c in value)
            and any(c.islower() for c in value)
            and any(c.isupper() for c in value)
            and not any(value[i] * 4 == value[i : i + 4] for i in range(len(value) - 3))
        ):
            return value


def read_passwords(path: Path) -> dict[str, str]:
    result: dict[str, str] = {}
    if not path.exists():
        return result
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        username, password = line.split("\t", 1)
        result[username.strip()] = password.strip()
    return result


def write_passwords(path: Path, passwords: dict[str, str]) -> None:
    """Write the file readable by its owner only (created 0600, never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# dangjian 演示账号（仅供本机演示；用户名<TAB>密码）"]
    lines += [f"{u}\t{p}" for u, p in passwords.items()]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)


def demo_nodes() -> dict[str, Organization]:
    """The nodes the accounts are bound to, chosen deterministically (by path)."""
    root = Organization.objects.filter(depth=1).order_by("path").first()
    if root is None:
        raise RuntimeError("数据库中没有组织，无法创建演示账号")
    district = root
    if (
        root.numchild
        and not Organization.objects.filter(
            path__startswith=root.path, depth=root.depth + 1, org_type=OrgType.WORKING_COMMITTEE
        ).exists()
    ):
        # a city: the first district committee is where the town and branch are taken from
        district = (
            Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1)
            .order_by("path")
            .first()
            or root
        )
    below = Organization.objects.filter(path__startswith=district.path)
    town = (
        below.filter(
            depth=district.depth + 1,
            org_type__in=[OrgType.COMMITTEE, OrgType.WORKING_COMMITTEE],
            sector__in=[Sector.RURAL, Sector.COMMUNITY],
        )
        .order_by("path")
        .first()
        or district
    )
    weak = (
        Organization.objects.filter(path__startswith=town.path, org_type__in=ROLL_TYPES)
        .annotate(full=Count("members", filter=Q(members__member_type=MemberType.FULL)))
        .filter(full__lt=3)
        .order_by("path")
        .first()
    ) or (
        below.filter(org_type__in=ROLL_TYPES)
        .annotate(full=Count("members", filter=Q(members__member_type=MemberType.FULL)))
        .order_by("full", "path")
        .first()
    )
    return {"root": root, "town": town, "weak_branch": weak or town}


@transaction.atomic
def ensure_demo_accounts() -> list[DemoAccount]:
    """Create the missing demo accounts; keep existing ones and their recorded passwords."""
    path = accounts_file()
    passwords = read_passwords(path)
    nodes = demo_nodes()
    result: list[DemoAccount] = []
    for username, role, where in DEMO_ACCOUNTS:
        user = User.objects.select_related("org").filter(username=username).first()
        created = False
        if user is None:
            password = passwords.get(username) or new_password()
            user = user_create(
                actor=SYSTEM,
                username=username,
                password=password,
                org=nodes[where],
                roles=[role],
                display_name=f"演示{ROLES[role].label}",
                # the demo prints these passwords to be used as they are
                must_change_password=False,
            )
            created = True
        elif username in passwords:
            password = passwords[username]
        else:
            # the account exists but its password was lost with the file: set a new one
            password = new_password()
            user.set_password(password)
            user.save(update_fields=["password"])
            audit_record(
                actor=SYSTEM,
                action=AuditAction.USER_PASSWORD_RESET,
                object_type="user",
                object_id=user.username,
                object_repr=str(user),
                scope_path=user.org.path if user.org else "",
                after={"reason": "演示账号密码文件缺失，重新生成"},
            )
        passwords[username] = password
        assert user.org is not None
        result.append(DemoAccount(username, password, role, user.org, created))
    _ask_pending_grant(nodes[PENDING_ACCOUNT[2]])
    write_passwords(path, passwords)
    return result


def _ask_pending_grant(org: Organization) -> None:
    """The 系统管理员 opens an account for a new branch secretary: the role waits for the
    安全管理员's approval. Done once; an approved or refused grant stays as it was decided."""
    username, role, _ = PENDING_ACCOUNT
    if RoleGrant.objects.filter(user__username=username).exists():
        return
    asker = User.objects.get(username="xitong")
    user_create(
        actor=asker,
        username=username,
        password=new_password(),
        org=org,
        roles=[role],
        display_name="待批准的支部书记",
    )


def accounts_table(accounts: list[DemoAccount]) -> str:
    """A plain-text table for the terminal (widths count CJK characters as two columns)."""

    def pad(text: str, n: int) -> str:
        return text + " " * (n - text_width(text))

    header = ["用户名", "密码", "角色", "所属组织"]
    rows = [
        [a.username, a.password, ROLES[a.role].label, f"{a.org.name}（{a.org.code}）"]
        for a in accounts
    ]
    widths = [max(text_width(r[i]) for r in [header, *rows]) for i in range(4)]
    rule = "+".join("-" * (w + 2) for w in widths)
    lines = [f"+{rule}+"]
    for i, row in enumerate([header, *rows]):
        lines.append("| " + " | ".join(pad(c, w) for c, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            lines.append(f"+{rule}+")
    lines.append(f"+{rule}+")
    return "\n".join(lines)


def nodes_to_seed(*models: type[Model]) -> dict[str, Organization] | None:
    """The demo's nodes (:func:`demo_nodes`) for a step that runs once: ``None`` when one of
    ``models`` has a row already (the step ran), or when there is no organization."""
    if any(model._default_manager.exists() for model in models):
        return None
    try:
        return demo_nodes()
    except RuntimeError:
        return None


def demo_worker(username: str, org: Organization, rng: random.Random) -> User:
    """A demo 网格员 account of ``org`` with a made-up name, to change its password first."""
    name = rng.choice(names.SURNAMES)[0] + rng.choice(names.GIVEN_MID_MALE + names.GIVEN_MID_FEMALE)
    return user_create(
        actor=SYSTEM,
        username=username,
        password=new_password(),
        org=org,
        roles=["grid_worker"],
        display_name=name,
        must_change_password=True,
    )

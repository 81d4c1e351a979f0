"""``dangjian user add|list|unlock|reset-password|totp-reset`` — accounts from the command line
(acts as the operator)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.credentials import password_reset
from dangjian.accounts.models import User
from dangjian.accounts.otp import totp_reset
from dangjian.accounts.roles import ROLES
from dangjian.accounts.scope import SYSTEM
from dangjian.accounts.services import LOCK_EXEMPT_MAX_HOURS, user_create, user_unlock
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = (
        "账号管理：add（新建账号）、list（列出账号）、unlock（解锁账号）、"
        "reset-password（重置密码）、totp-reset（解除动态口令绑定）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="新建账号")
        add.add_argument("--username", required=True)
        add.add_argument("--display-name", default="")
        add.add_argument("--org", required=True, help="账号所属组织编码（权限覆盖其下级）")
        add.add_argument(
            "--role",
            action="append",
            required=True,
            help="角色代码或名称，可重复："
            + "、".join(f"{r.code}={r.label}" for r in ROLES.values()),
        )
        group = add.add_mutually_exclusive_group(required=True)
        group.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
        add.add_argument(
            "--no-change-required",
            action="store_true",
            help="不要求首次登录修改密码（仅用于服务账号；默认本人首次登录须修改初始密码）",
        )
        sub.add_parser("list", help="列出账号")
        unlock = sub.add_parser("unlock", help="解锁账号")
        unlock.add_argument("--username", required=True)
        reset = sub.add_parser(
            "reset-password", help="重置密码：打印一次性临时密码，本人下次登录须修改"
        )
        reset.add_argument("--username", required=True)
        totp = sub.add_parser("totp-reset", help="解除动态口令绑定（手机丢失时）")
        totp.add_argument("--username", required=True)
        unlock.add_argument(
            "--exempt-hours",
            type=int,
            default=0,
            help=f"解锁后免于锁定的小时数（0–{LOCK_EXEMPT_MAX_HOURS}）：期间他人输错密码不会再锁定该账号",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self._add(options)
        elif action == "list":
            for user in User.objects.select_related("org").order_by("username"):
                org = user.org.code if user.org else "-"
                roles = ",".join(user.role_labels)
                state = (
                    "已停用" if not user.is_active else ("已锁定" if user.locked_until else "正常")
                )
                self.stdout.write(f"{user.username}\t{org}\t{roles}\t{state}")
        elif action == "unlock":
            locked = self._user(options["username"])
            hours = options["exempt_hours"]
            try:
                user_unlock(actor=SYSTEM, user=locked, exempt_hours=hours)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages), returncode=2) from exc
            note = f"，{hours} 小时内免于锁定" if hours else ""
            self.stdout.write(f"已解锁 {locked.username}{note}")
        elif action == "reset-password":
            user = self._user(options["username"])
            temporary = password_reset(actor=SYSTEM, user=user)
            self.stdout.write(f"{user.username} 的临时密码（只显示这一次，下次登录须修改）：")
            self.stdout.write(temporary)
        elif action == "totp-reset":
            user = self._user(options["username"])
            count = totp_reset(actor=SYSTEM, user=user)
            self.stdout.write(f"已解除 {user.username} 的动态口令绑定（{count} 个设备）")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号“{username}”不存在", returncode=2)
        return user

    def _add(self, options: dict[str, Any]) -> None:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("标准输入中没有密码", returncode=2)
        org = Organization.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"组织编码“{options['org']}”不存在", returncode=2)
        try:
            user = user_create(
                actor=SYSTEM,
                username=options["username"],
                password=password,
                org=org,
                roles=options["role"],
                display_name=options["display_name"],
                must_change_password=not options["no_change_required"],
            )
        except ValidationError as exc:
            lines = [f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
            raise CommandError("无法创建账号：\n" + "\n".join(lines), returncode=2) from exc
        note = "" if options["no_change_required"] else "，首次登录须修改密码"
        self.stdout.write(
            f"已创建账号 {user.username}（{org.name}，{'、'.join(user.role_labels)}）{note}"
        )

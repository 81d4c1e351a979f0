"""``dangjian open311 key create|list|revoke`` — the API keys of the Open311 interface (acts as
the operator). The key is printed once, when it is made; only its SHA-256 is kept."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.open311.models import ApiKey
from dangjian.open311.services import key_create, key_revoke
from dangjian.orgs.models import Organization
from dangjian.service.models import Grid


class Command(BaseCommand):
    help = (
        "Open311 接口密钥：key create（新建，密钥只显示一次）、key list（列出）、key revoke（停用）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        key = sub.add_parser("key", help="接口密钥")
        actions = key.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="新建接口密钥")
        create.add_argument("--name", required=True, help="接入系统名称")
        create.add_argument("--org", required=True, help="可提交的组织范围（组织编码，含下级）")
        create.add_argument("--grid", default="", help="默认网格（网格的公开页面标识）")
        actions.add_parser("list", help="列出接口密钥")
        revoke = actions.add_parser("revoke", help="停用接口密钥")
        revoke.add_argument("--name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            org = Organization.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(f"没有组织编码为 {options['org']} 的组织")
            grid = None
            if options["grid"]:
                grid = Grid.objects.filter(token=options["grid"]).first()
                if grid is None:
                    raise CommandError(f"没有标识为 {options['grid']} 的网格")
            try:
                made = key_create(actor=SYSTEM, name=options["name"], org=org, default_grid=grid)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None
            self.stdout.write(f"已新建接口密钥“{made.key.name}”（范围：{org.name}）。")
            self.stdout.write("密钥只显示这一次，请立即交给接入方妥善保存：")
            self.stdout.write(made.secret)
        elif action == "list":
            for key in ApiKey.objects.select_related("org", "default_grid"):
                used = (
                    f"{timezone.localtime(key.last_used_at):%Y-%m-%d %H:%M}"
                    if key.last_used_at
                    else "未使用"
                )
                where = key.default_grid.name if key.default_grid else "-"
                state = "启用" if key.active else "已停用"
                self.stdout.write(
                    f"{key.name}\t{key.prefix}…\t{key.org.code}\t{where}\t{state}\t{used}"
                )
        else:
            found = ApiKey.objects.select_related("org").filter(name=options["name"]).first()
            if found is None:
                raise CommandError(f"没有名为“{options['name']}”的接口密钥")
            key_revoke(actor=SYSTEM, key=found)
            self.stdout.write(f"已停用接口密钥“{found.name}”。")

"""``dangjian serve [--bind ADDR:PORT] [--workers N] [--threads N] [--no-migrate] [--dry-run]``.

The production server in one command: applies the migrations, collects the static files (served
by WhiteNoise from the web processes, compressed and with cache-busting names under the
production settings) and replaces itself with gunicorn, configured by
:mod:`dangjian.settings.gunicorn` (threaded workers, keep-alive, time-outs; each value also from
the environment). The settings are those of ``DJANGO_SETTINGS_MODULE`` (production:
``dangjian.settings.prod``); README "Production" describes the whole recipe.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

GUNICORN_CONFIG = "python:dangjian.settings.gunicorn"
WSGI_APP = "dangjian.wsgi:application"


def gunicorn_argv() -> list[str]:
    """The command line that runs the web server (this Python, so the same environment)."""
    return [sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONFIG, WSGI_APP]


class Command(BaseCommand):
    help = "生产环境网页服务：迁移数据库、收集静态文件，然后以 gunicorn（多进程多线程）启动"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind", help="监听地址，默认 127.0.0.1:8000（环境变量 DANGJIAN_BIND）"
        )
        parser.add_argument("--workers", type=int, help="进程数（环境变量 DANGJIAN_WORKERS）")
        parser.add_argument(
            "--threads", type=int, help="每个进程的线程数（环境变量 DANGJIAN_THREADS）"
        )
        parser.add_argument("--no-migrate", action="store_true", help="不执行数据库迁移")
        parser.add_argument(
            "--dry-run", action="store_true", help="只做准备并打印启动命令，不启动服务"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("workers", "threads"):
            if options[name] is not None and options[name] < 1:
                raise CommandError(f"--{name} 应为正整数")
        if importlib.util.find_spec("gunicorn") is None:
            raise CommandError(
                '未安装 gunicorn：请先执行 pip install "dangjian[prod]"（或 pip install gunicorn）'
            )
        env = {
            "DANGJIAN_BIND": options["bind"],
            "DANGJIAN_WORKERS": options["workers"],
            "DANGJIAN_THREADS": options["threads"],
        }
        for name, value in env.items():
            if value is not None:
                os.environ[name] = str(value)
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = gunicorn_argv()
        self.stdout.write("启动：" + " ".join(argv))
        if options["dry_run"]:
            return
        self.stdout.flush()
        os.execv(argv[0], argv)  # noqa: S606  (gunicorn takes over this process and its signals)

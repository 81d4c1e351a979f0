"""Fuzz the REST API against its own OpenAPI schema with schemathesis (``make fuzz``, CI).

Builds a throwaway SQLite database in a temporary folder (migrations, the tiny demo district and
its story, the demo accounts), issues an API token for the 组织部管理员 of the demo, starts
gunicorn on a free loopback port and runs

    schemathesis run http://127.0.0.1:<port>/api/v1/schema/ --checks all
        --max-examples N --seed S -H "Authorization: Token …"

Every check is on: a 5xx, a status code, content type, header or body the schema does not
declare, a bad input accepted or a good one refused fails the run (exit status non-zero).
Writes through the API land in the throwaway database, removed at the end.

    python tools/schema_fuzz.py [--max-examples 20] [--seed 20261206] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
USER = "zzb_admin"  # the demo's 组织部管理员 at the root: sees and writes the most

# Operations left out of the run, each with its reason (a check is never left out).
EXCLUDED = [
    # revoking a token signs the fuzzer itself out (every later case would be a 401);
    # both are tested in tests/api/test_tokens.py
    "auth_token_destroy",  # DELETE /api/v1/auth/token/
    "auth_token_revoke_create",  # POST /api/v1/auth/token/revoke/
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (this script's own commands)
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


TOKEN_CODE = f"""
from dangjian.accounts.models import User
from dangjian.api.services import token_issue
print(token_issue(user=User.objects.get(username={USER!r}))[1])
"""


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (loopback)
        except urllib.error.HTTPError:
            return  # the server answers (401 without a token)
        except OSError:
            time.sleep(0.3)
        else:
            return
    raise SystemExit(f"服务器未在 {seconds:.0f} 秒内启动：{url}")


def main() -> int:
    parser = argparse.ArgumentParser(description="按 OpenAPI 模式对接口做模糊测试（schemathesis）")
    parser.add_argument("--max-examples", type=int, default=20, help="每个接口最多生成的用例数")
    parser.add_argument("--seed", type=int, default=20261206, help="随机种子（可复现）")
    parser.add_argument("--workers", default="2", help="并发数")
    parser.add_argument("--keep", action="store_true", help="保留临时目录（数据库与报告）")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dangjian-fuzz-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dangjian.settings.dev",
        DANGJIAN_VAR_DIR=str(work / "var"),
        DATABASE_URL=f"sqlite:///{work / 'fuzz.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    server = None
    started = time.monotonic()
    try:
        print(f"== 准备测试数据库（{work}）", flush=True)
        _manage(env, "demo", "--tier", "tiny", "--no-serve")
        token = _manage(env, "shell", "-c", TOKEN_CODE).strip().splitlines()[-1]
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = (work / "server.log").open("w")
        server = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "dangjian.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "120",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait(f"{base}/api/v1/schema/")
        print(f"== 准备用时 {time.monotonic() - started:.0f} 秒；服务器 {base}", flush=True)
        command = [
            str(BIN / "schemathesis"),
            "--config-file",
            str(ROOT / "tools" / "schemathesis.toml"),
            "run",
            f"{base}/api/v1/schema/",
            "--checks",
            "all",
            "--max-examples",
            str(args.max_examples),
            "--seed",
            str(args.seed),
            "--workers",
            args.workers,
            "--generation-database",
            "none",
            "--request-timeout",
            "30",
            "--no-color",
            "--report",
            "junit",
            "--report-dir",
            str(work / "report"),
            "-H",
            f"Authorization: Token {token}",
        ]
        for operation_id in EXCLUDED:
            command += ["--exclude-operation-id", operation_id]
        fuzz_started = time.monotonic()
        code = subprocess.run(command, cwd=work, env=env, check=False).returncode  # noqa: S603
        print(
            f"== schemathesis 退出码 {code}，用时 {time.monotonic() - fuzz_started:.0f} 秒"
            f"（总计 {time.monotonic() - started:.0f} 秒）",
            flush=True,
        )
        if code:
            print("服务器日志最后 40 行：")
            print("\n".join((work / "server.log").read_text().splitlines()[-40:]))
        return code
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if args.keep:
            print(f"临时目录保留在 {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

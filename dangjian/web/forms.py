"""Forms of the web pages: they only parse and check input; writes go through the services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from dangjian.accounts.backends import LOGIN_FAILED
from dangjian.accounts.roles import ROLE_CHOICES
from dangjian.core.audit import ACTION_LABELS, OBJECT_TYPE_LABELS
from dangjian.core.dates import parse_date
from dangjian.orgs.choices import Sector
from dangjian.rules.registry import SEVERITIES

SEVERITY_CHOICES = list(SEVERITIES.items())
_CODE = re.compile(r"^[A-Za-z0-9]{1,32}$")
_REGION = re.compile(r"^(\d{6}|\d{12})$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _matched(form: forms.Form, name: str, pattern: re.Pattern[str], message: str) -> str:
    """The field ``name`` of ``form`` stripped: empty, or matching ``pattern`` (else
    ``message``)."""
    value = str(form.cleaned_data.get(name) or "").strip()
    if value and not pattern.match(value):
        raise ValidationError(message)
    return value


class ChineseDateField(forms.Field):
    """A date typed as YYYY-MM-DD (or the other forms of :func:`parse_date`), Chinese errors."""

    widget = forms.DateInput(attrs={"type": "date"})

    def to_python(self, value: Any) -> dt.date | None:
        if value in (None, ""):
            return None
        try:
            day = parse_date(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if not 1900 <= day.year <= 2200:
            raise ValidationError(f"日期“{value}”超出可用范围（1900—2200 年）")
        return day


def date_field(label: str, *, required: bool = True, **kwargs: Any) -> ChineseDateField:
    """A :class:`ChineseDateField` shown as a date input, asking for ``label`` when empty."""
    errors = {"required": f"请填写{label}"}
    # ISO in the value: a date input shows nothing for a localized "2026/11/23"
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return ChineseDateField(
        label=label, required=required, error_messages=errors, widget=widget, **kwargs
    )


def _org_code(value: str) -> None:
    if len(value) <= 32 and not _CODE.match(value):  # a longer one: the max_length message
        raise ValidationError("组织编码只能由字母和数字组成")


def org_code_field(label: str = "组织编码", *, required: str = "请填写组织编码") -> forms.CharField:
    """An organization's code, trimmed, of letters and digits; ``required`` says it is missing."""
    return forms.CharField(
        label=label,
        max_length=32,
        validators=[_org_code],
        error_messages={"required": required},
    )


def pick_field(label: str, *, invalid: str) -> forms.TypedChoiceField:
    """An optional choice of a record by its number (``None`` when none is chosen); its choices
    are set by the form."""
    return forms.TypedChoiceField(
        label=label,
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": invalid},
    )


def text_field(label: str, *, max_length: int, rows: int = 3, **kwargs: Any) -> forms.CharField:
    """An optional text typed in a box of ``rows`` lines."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class LoginForm(AuthenticationForm):
    """Django's login form with Chinese messages. A wrong password, an unknown username and a
    locked account get the same answer, so the form tells nobody which usernames exist or are
    locked (the 安全管理员's page lists the locked accounts)."""

    error_messages = {
        "invalid_login": LOGIN_FAILED,
        "inactive": LOGIN_FAILED,
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"


class TreeSearchForm(forms.Form):
    q = forms.CharField(label="名称或编码", max_length=100, required=False, strip=True)


class FindingFilterForm(forms.Form):
    """Filters of the findings list; every value is checked before the checker runs."""

    rule = forms.ChoiceField(label="规则", required=False)
    severity = forms.ChoiceField(
        label="级别", required=False, choices=[("", "全部"), *SEVERITY_CHOICES]
    )
    sector = forms.ChoiceField(
        label="领域", required=False, choices=[("", "全部"), *Sector.choices]
    )
    region = forms.CharField(label="行政区划代码", required=False, max_length=12)
    org = forms.CharField(label="组织编码", required=False, max_length=32)
    at = ChineseDateField(label="检查日期", required=False)

    def __init__(self, *args: Any, rule_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rule"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "全部"), *rule_choices]
        field.error_messages["invalid_choice"] = "未知规则“%(value)s”"
        for name in ("severity", "sector"):
            choice = self.fields[name]
            assert isinstance(choice, forms.ChoiceField)
            choice.error_messages["invalid_choice"] = "无效的取值“%(value)s”"

    def clean_region(self) -> str:
        return _matched(self, "region", _REGION, "行政区划代码应为 6 位或 12 位数字")

    def clean_org(self) -> str:
        return _matched(self, "org", _CODE, "组织编码只能由字母和数字组成，最长 32 位")


#: groups of audit actions for the filter (the action codes start with these)
AUDIT_ACTION_GROUPS = [
    ("user.", "账号"),
    ("security.", "安全策略"),
    ("api.", "接口令牌"),
    ("org.", "组织"),
    ("member.", "党员"),
    ("life.", "组织生活"),
    ("recruit.", "发展党员"),
    ("assess.", "质量考核"),
    ("survey.", "满意度测评"),
    ("rectify.", "整改"),
]


def audit_action_choices() -> list[tuple[str, Any]]:
    """ "全部", each group (all its actions), then the actions of each group by name."""
    choices: list[tuple[str, Any]] = [("", "全部")]
    choices += [(prefix, f"{label}（全部操作）") for prefix, label in AUDIT_ACTION_GROUPS]
    for prefix, label in AUDIT_ACTION_GROUPS:
        members = [(a, n) for a, n in ACTION_LABELS.items() if a.startswith(prefix)]
        choices.append((label, members))
    grouped = tuple(p for p, _ in AUDIT_ACTION_GROUPS)
    rest = [(a, n) for a, n in ACTION_LABELS.items() if not a.startswith(grouped)]
    choices.append(("其他", rest))
    return choices


class AuditFilterForm(forms.Form):
    """Search of the audit trail (read-only); actions and object types by their Chinese names."""

    actor = forms.CharField(label="操作人", required=False, max_length=150)
    action = forms.ChoiceField(label="操作", required=False, choices=audit_action_choices)
    object_type = forms.ChoiceField(
        label="对象类型",
        required=False,
        choices=[("", "全部"), *OBJECT_TYPE_LABELS.items()],
    )
    object_id = forms.CharField(label="对象标识", required=False, max_length=128)
    request_id = forms.CharField(label="请求标识", required=False, max_length=64)
    date_from = ChineseDateField(label="起始日期", required=False)
    date_to = ChineseDateField(label="截止日期", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("action", "object_type"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.error_messages["invalid_choice"] = "未知的取值“%(value)s”"

    def clean_request_id(self) -> str:
        message = "请求标识只能包含字母、数字、点、下划线和连字符"
        return _matched(self, "request_id", _REQUEST_ID, message)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError("起始日期不能晚于截止日期")
        return data


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ROLE_CHOICES, label="角色", **kwargs)
        self.error_messages["required"] = "至少需要一个角色"
        self.error_messages["invalid_choice"] = "未知角色“%(value)s”"


class UserCreateForm(forms.Form):
    """A new account; the password is checked by Django's validators inside ``user_create``."""

    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=50, required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, strip=False)
    org = forms.CharField(label="所属组织编码", max_length=32)
    roles = RolesField()

    def clean_username(self) -> str:
        value = str(self.cleaned_data["username"]).strip()
        if not re.match(r"^[\w.@+-]+$", value):
            raise ValidationError("用户名只能包含字母、数字和 @/./+/-/_")
        return value


class UserRolesForm(forms.Form):
    roles = RolesField()
    is_active = forms.BooleanField(label="启用", required=False)


class UnlockForm(forms.Form):
    """Unlock an account; optionally exempt it from locking for a while (an administrator whom
    others keep locking out by typing wrong passwords for his username)."""

    exempt_hours = forms.IntegerField(
        label="解锁后免于锁定（小时）",
        min_value=0,
        max_value=72,
        required=False,
        help_text="0 为不免除；免除期间他人输错密码不会再锁定该账号，失败次数仍会记录",
        error_messages={
            "invalid": "请输入整数小时数",
            "min_value": "免于锁定的时长不能小于 0",
            "max_value": "免于锁定的时长最多 72 小时",
        },
    )


class GrantRefuseForm(forms.Form):
    reason = forms.CharField(
        label="拒绝理由",
        max_length=200,
        error_messages={"required": "请填写拒绝理由", "max_length": "拒绝理由最多 200 字"},
    )


class SecurityPolicyForm(forms.Form):
    max_failed_logins = forms.IntegerField(label="连续失败锁定次数", min_value=3, max_value=20)
    lockout_minutes = forms.IntegerField(label="锁定时长（分钟）", min_value=1, max_value=1440)
    idle_timeout_minutes = forms.IntegerField(label="空闲超时（分钟）", min_value=5, max_value=240)


class PasswordChangeForm(forms.Form):
    """The user's own password: the old one, the new one twice (checked by the service)."""

    old_password = forms.CharField(
        label="原密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "请填写原密码"},
    )
    new_password = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "请填写新密码"},
    )
    new_password2 = forms.CharField(
        label="再次输入新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "请再次输入新密码"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password2") != data.get("new_password"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class PasswordResetForm(forms.Form):
    """The 安全管理员 types a temporary password, or leaves it empty to have one generated."""

    new_password = forms.CharField(
        label="临时密码（留空则自动生成）",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label="动态口令（6 位数字）",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "请填写动态口令"},
    )

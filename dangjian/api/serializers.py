"""API payloads. Serializers only parse and present: every rule is checked by the services
(``orgs.services``, ``members.services``), whose Chinese messages are passed through per field.
Member output carries masked ID and phone numbers only; the plain numbers leave the server only
through the audited reveal endpoint.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from dangjian.members.choices import Category, MemberType, Post
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgType, Sector

_GENDER_ERRORS: dict[str, Any] = {"invalid_choice": "性别应为“男”或“女”"}
DATE_ERRORS: dict[str, Any] = {
    "invalid": "日期格式错误，应为 YYYY-MM-DD",
    "datetime": "应为日期，不是时间",
}


class TextField(serializers.CharField):
    """A string, as the schema says: a number is refused rather than turned into its digits."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


def _choice_errors(label: str, values: list[str]) -> dict[str, Any]:
    return {"invalid_choice": f"{label}“{{input}}”无效，应为：{'、'.join(values)}"}


def _date(**kwargs: Any) -> serializers.DateField:
    return serializers.DateField(input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS, **kwargs)


# --- tokens -------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = TextField(max_length=150, label="用户名")
    password = TextField(
        max_length=256, label="密码", trim_whitespace=False, style={"input_type": "password"}
    )
    otp = serializers.CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        label="动态口令",
        help_text="管理员账号在启用双因素认证（DANGJIAN_ADMIN_TOTP）时必填：身份验证器的 6 位数字",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = TextField(help_text="只显示这一次；请求时放在 Authorization: Token <令牌>")
    expires_at = serializers.DateTimeField()


class TokenRevokeRequestSerializer(serializers.Serializer):
    all = serializers.BooleanField(
        required=False, default=False, help_text="撤销本人的全部令牌（否则只撤销当前令牌）"
    )


class TokenRevokeResponseSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(help_text="撤销的令牌数")


# --- organizations ------------------------------------------------------------------------


class OrgSerializer(serializers.Serializer):
    """An organization as listed: the view sets ``api_parent_code`` and the subtree counts."""

    code = TextField()
    name = TextField()
    type = TextField(source="org_type")
    sector = TextField()
    region_code = TextField()
    parent = TextField(source="api_parent_code", allow_null=True)  # type: ignore[assignment]
    depth = serializers.IntegerField()
    founded_on = serializers.DateField(allow_null=True)
    term_started_on = serializers.DateField(allow_null=True)
    term_years = serializers.IntegerField(
        source="effective_term_years", allow_null=True, help_text="记录值，或按 SETUP-TERM 的默认值"
    )
    term_years_recorded = serializers.IntegerField(source="term_years", allow_null=True)
    term_ends_on = serializers.DateField(allow_null=True)
    units_covered = serializers.IntegerField(allow_null=True)
    secretary_vacant_since = serializers.DateField(allow_null=True)
    full_members = serializers.IntegerField(
        source="api_full_members", help_text="本组织及下级组织的正式党员数"
    )
    probationary_members = serializers.IntegerField(
        source="api_probationary_members", help_text="本组织及下级组织的预备党员数"
    )


class OrgWriteSerializer(serializers.Serializer):
    """Fields accepted by POST and PATCH; ``parent`` is the code of the superior organization."""

    code = TextField(max_length=32)
    name = TextField(max_length=200)
    type = serializers.ChoiceField(
        choices=OrgType.values, error_messages=_choice_errors("组织类别", OrgType.values)
    )
    sector = serializers.ChoiceField(
        choices=Sector.values, error_messages=_choice_errors("所属领域", Sector.values)
    )
    parent = TextField(max_length=32, help_text="上级组织编码")  # type: ignore[assignment]
    region_code = TextField(max_length=12, required=False, allow_blank=True)
    founded_on = _date(required=False, allow_null=True)
    term_started_on = _date(required=False, allow_null=True)
    term_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=10
    )
    units_covered = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100000
    )
    secretary_vacant_since = _date(required=False, allow_null=True)


# --- members ------------------------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    """A member record with masked ID and phone numbers."""

    id = serializers.IntegerField()
    name = TextField()
    gender = TextField()
    ethnicity = TextField()
    education = TextField()
    category = TextField()
    member_type = TextField()
    joined_on = serializers.DateField()
    confirmed_on = serializers.DateField(allow_null=True)
    org = TextField(source="org.code")
    org_name = TextField(source="org.name")
    post = TextField()
    id_number = TextField(source="id_number_masked", help_text="脱敏后的公民身份号码")
    phone = TextField(source="phone_masked", help_text="脱敏后的联系电话")
    residence_community = serializers.SerializerMethodField()

    def get_residence_community(self, member: Member) -> str | None:
        community = member.residence_community
        return community.code if community is not None else None


class MemberWriteSerializer(serializers.Serializer):
    """Fields accepted by POST and PATCH. ``id_number`` and ``phone`` are write-only."""

    name = TextField(max_length=50)
    id_number = TextField(max_length=32, write_only=True)
    member_type = serializers.ChoiceField(
        choices=MemberType.values, error_messages=_choice_errors("党员类型", MemberType.values)
    )
    joined_on = _date()
    confirmed_on = _date(required=False, allow_null=True)
    org = TextField(max_length=32, help_text="所在党组织编码（党支部）")
    gender = serializers.ChoiceField(
        choices=["男", "女"],
        required=False,
        allow_blank=True,
        error_messages=_GENDER_ERRORS,
    )
    birth_date = _date(required=False, allow_null=True)
    ethnicity = TextField(max_length=20, required=False, allow_blank=True)
    education = TextField(max_length=20, required=False, allow_blank=True)
    category = serializers.ChoiceField(
        choices=Category.values,
        required=False,
        allow_blank=True,
        error_messages=_choice_errors("人员类别", Category.values),
    )
    post = serializers.ChoiceField(
        choices=Post.values,
        required=False,
        allow_blank=True,
        error_messages=_choice_errors("党内职务", Post.values),
    )
    phone = TextField(max_length=32, required=False, allow_blank=True, write_only=True)
    residence_community = TextField(
        max_length=32,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="现居住社区党组织编码（双报到）",
    )


class RevealRequestSerializer(serializers.Serializer):
    # required: a view of personal data states why, for the audit trail (and an empty or
    # unreadable body is refused instead of read as "no reason")
    reason = TextField(max_length=200, help_text="查看原因（记入审计）")


class RevealResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    id_number = TextField()
    phone = TextField()


# --- findings -----------------------------------------------------------------------------


class FindingSerializer(serializers.Serializer):
    """A checker finding in the format of formats.md."""

    rule = TextField()
    subject = TextField(help_text="组织编码")
    severity = serializers.ChoiceField(choices=["error", "warning", "due"])
    period = TextField(required=False)
    message = TextField()
    source = TextField()  # type: ignore[assignment]
    evidence = serializers.DictField()
    due_date = serializers.DateField(required=False)


# --- attachments (photos or PDFs of signed paper records) ---------------------------------


class AttachmentSerializerBase(serializers.Serializer):
    """The fields every kind of attachment shows; a subclass gives the download address."""

    id = serializers.IntegerField()
    name = TextField()
    content_type = TextField()
    size = serializers.IntegerField()
    sha256 = TextField()
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="下载地址")

    def get_url(self, item: Any) -> str:
        raise NotImplementedError


def uploaded_files(
    request: Any, *, max_count: int, per: str, max_bytes: int | None = None
) -> list[Any]:
    """The files of an attachment upload (form field ``file`` or ``files``, repeatable), refused
    with a 400 when there are none, too many, or one declares a size over ``max_bytes`` (the
    uploads' limit by default) — before any of them is read."""
    from rest_framework import exceptions

    from dangjian.core import uploads

    files = [*request.FILES.getlist("file"), *request.FILES.getlist("files")]
    if not files:
        raise exceptions.ValidationError({"file": ["请选择要上传的文件（表单字段 file）"]})
    if len(files) > max_count:
        raise exceptions.ValidationError({"file": [f"{per}最多 {max_count} 个附件"]})
    uploads.refuse_oversized(files, max_bytes=max_bytes or uploads.MAX_BYTES)
    return files

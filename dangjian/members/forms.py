"""Forms of the member pages: a member record, a decided standing, a participant of a
临时党支部. They only parse input; every rule is checked by the services
(:mod:`dangjian.members.services`), whose Chinese messages are put back on the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.orgs.models import Organization
from dangjian.web.forms import date_field

from .choices import Category, MemberType, ParticipationPost, Post, StatusKind
from .models import Member
from .services import MemberInput, StatusInput

#: the note under 党内职务 (党章 art. 7; SETUP-VOTERS)
POST_NOTE = (
    "书记、副书记和委员须由有选举权和被选举权的正式党员担任：预备党员，"
    "以及处于留党察看、停止党籍期间的党员不能当选（党章第七条）"
)


def _choices(values: list[str], empty: str | None = None) -> list[tuple[str, str]]:
    items = [(v, v) for v in values]
    return [("", empty), *items] if empty is not None else items


class MemberForm(forms.Form):
    """A member record on the roll of one branch (create and edit)."""

    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名"})
    id_number = forms.CharField(label="公民身份号码", max_length=32, required=False)
    member_type = forms.ChoiceField(
        label="党员类型",
        choices=_choices(MemberType.values),
        error_messages={"invalid_choice": "党员类型应为“正式党员”或“预备党员”"},
    )
    joined_on = date_field("入党日期", help_text="支部大会接收为预备党员之日")
    confirmed_on = date_field(
        "转正日期", required=False, help_text="正式党员填写；党龄自转正之日起算"
    )
    post = forms.ChoiceField(
        label="党内职务",
        choices=_choices(Post.values, "无"),
        required=False,
        help_text=POST_NOTE,
        error_messages={"invalid_choice": "党内职务无效，请从列表中选择"},
    )
    ethnicity = forms.CharField(label="民族", max_length=20, required=False)
    education = forms.CharField(label="学历", max_length=20, required=False)
    category = forms.ChoiceField(
        label="人员类别",
        choices=_choices(Category.values, "未填写"),
        required=False,
        error_messages={"invalid_choice": "人员类别无效，请从列表中选择"},
    )
    phone = forms.CharField(label="联系电话", max_length=32, required=False)

    def __init__(self, *args: Any, member: Member | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        ident = self.fields["id_number"]
        if member is None:
            ident.required = True
            ident.error_messages["required"] = "请填写公民身份号码"
            ident.help_text = "性别和出生日期由号码得出"
        else:
            ident.help_text = f"现为 {member.id_number_masked}；留空则不变"
            self.fields["phone"].help_text = (
                f"现为 {member.phone_masked}；留空则不变" if member.phone_masked else ""
            )

    def member_input(self, org: Organization) -> MemberInput:
        """The validated form as the service's input; on edit, empty numbers keep the record's."""
        data = self.cleaned_data
        member = self.member
        number = data["id_number"].strip()
        phone = data["phone"].strip()
        if member is not None:
            number = number or member.id_number()
            phone = phone or member.phone()
        return MemberInput(
            name=data["name"].strip(),
            id_number=number,
            member_type=data["member_type"],
            joined_on=data["joined_on"],
            confirmed_on=data.get("confirmed_on"),
            org=org,
            post=data.get("post") or "",
            ethnicity=data.get("ethnicity", "").strip(),
            education=data.get("education", "").strip(),
            category=data.get("category") or "",
            phone=phone,
            residence_community=member.residence_community if member is not None else None,
        )


def member_initial(member: Member) -> dict[str, Any]:
    return {
        "name": member.name,
        "member_type": member.member_type,
        "joined_on": member.joined_on,
        "confirmed_on": member.confirmed_on,
        "post": member.post,
        "ethnicity": member.ethnicity,
        "education": member.education,
        "category": member.category,
    }


class StatusForm(forms.Form):
    """A standing decided by a party body (留党察看, 停止党籍, 出党, 死亡 …)."""

    kind = forms.ChoiceField(
        label="状态",
        choices=_choices(StatusKind.values),
        error_messages={"invalid_choice": "状态无效，请从列表中选择"},
    )
    started_on = date_field("起始日期", help_text="决定生效之日（死亡：去世之日）")
    ends_on = date_field(
        "终止日期", required=False, help_text="留党察看期满之日（最长两年）；恢复党籍之日"
    )
    decided_by = forms.CharField(
        label="决定机关", max_length=100, error_messages={"required": "请填写作出决定的党组织"}
    )
    decision_no = forms.CharField(label="决定文号", max_length=100, required=False)
    reason = forms.CharField(label="事由", max_length=500, required=False)

    def status_input(self) -> StatusInput:
        data = self.cleaned_data
        return StatusInput(
            kind=data["kind"],
            started_on=data["started_on"],
            ends_on=data.get("ends_on"),
            decided_by=data["decided_by"].strip(),
            decision_no=data.get("decision_no", "").strip(),
            reason=data.get("reason", "").strip(),
        )


class ParticipantForm(forms.Form):
    """A member taking part in a 临时党支部, found by the ID number (within the user's scope)."""

    id_number = forms.CharField(
        label="参加人员的公民身份号码",
        max_length=32,
        error_messages={"required": "请填写参加人员的公民身份号码"},
        help_text="党员的组织关系仍在其所在党支部，不转入临时党支部",
    )
    started_on = date_field("参加日期")
    post = forms.ChoiceField(
        label="在临时党支部的职务",
        choices=_choices(ParticipationPost.values, "无"),
        required=False,
        error_messages={"invalid_choice": "职务无效，请从列表中选择"},
    )
    note = forms.CharField(label="备注", max_length=200, required=False)


class ParticipantEndForm(forms.Form):
    ended_on = date_field("结束日期", help_text="最后参加的一天")


class PostTermForm(forms.Form):
    """A post taken in an organization (a branch, a 党总支, a 党委 or 党工委). The holder is named
    by the ID number: a 党委's secretary is usually on the roll of another branch."""

    id_number = forms.CharField(
        label="任职党员的公民身份号码",
        max_length=32,
        error_messages={"required": "请填写任职党员的公民身份号码"},
        help_text="按号码查找您管辖范围内的党员（党委书记的组织关系可在其他支部）",
    )
    post = forms.ChoiceField(
        label="职务",
        choices=_choices(Post.values),
        error_messages={"invalid_choice": "职务无效，请从列表中选择"},
    )
    started_on = date_field("任职日期", help_text="当选或决定任职之日")
    decided_by = forms.CharField(
        label="选举或决定", max_length=100, required=False, help_text="如：支部党员大会选举"
    )


class PostTermEndForm(forms.Form):
    """The end of a term (离任日期: not in office from that day)."""

    ended_on = date_field("离任日期", help_text="自该日起不再任职")

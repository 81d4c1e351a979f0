"""Password validators of the 等保 policy, with Chinese messages (``AUTH_PASSWORD_VALIDATORS``).

Length, character classes and the longest run of one character come from the
``DANGJIAN_PASSWORD_*`` settings. The common-password check adds to Django's list of 20,000 leaked
passwords the words a guesser tries first against this system (the organization's own name and
its pinyin, "admin", "password") with any digits or symbols around them, so ``Dangjian2026`` and
``Admin@123`` are refused like ``password``.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation as django_validation
from django.core.exceptions import ValidationError

#: word cores refused with any digits/symbols around them (lower case, after undoing 0→o, @→a …)
PROJECT_WORDS = frozenset(
    {
        "dangjian",
        "dangyuan",
        "dangwei",
        "dangzhibu",
        "zhibu",
        "dangzuzhi",
        "zuzhibu",
        "gongchandang",
        "zhonggong",
        "dangxiao",
        "jiceng",
        "ccp",
        "cpc",
        "dj",
        "admin",
        "administrator",
        "root",
        "system",
        "password",
        "passwd",
        "pass",
        "mima",
        "qwerty",
        "qwe",
        "asdf",
        "abc",
        "welcome",
        "test",
        "user",
        "guest",
        "china",
        "zhongguo",
        "beijing",
        "shanghai",
        "woaini",
        "iloveyou",
    }
)

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "@": "a", "$": "s"})
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_CLASSES = (
    ("小写字母", re.compile(r"[a-z]")),
    ("大写字母", re.compile(r"[A-Z]")),
    ("数字", re.compile(r"[0-9]")),
    ("符号", re.compile(r"[^A-Za-z0-9]")),
)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    """At least ``DANGJIAN_PASSWORD_MIN_LENGTH`` characters (Django's message is English in
    zh-hans for this one)."""

    def __init__(self, min_length: int | None = None) -> None:
        self._min_length = min_length

    @property  # read at each check: the validators are built once per process
    def min_length(self) -> int:  # type: ignore[override]
        return self._min_length or _setting("DANGJIAN_PASSWORD_MIN_LENGTH", 10)

    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"至少 {self.min_length} 个字符。"


class CharacterClassesValidator:
    """At least ``DANGJIAN_PASSWORD_MIN_CLASSES`` of lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int | None = None) -> None:
        self._min_classes = min_classes

    @property
    def min_classes(self) -> int:
        return self._min_classes or _setting("DANGJIAN_PASSWORD_MIN_CLASSES", 3)

    def validate(self, password: str, user: Any = None) -> None:
        found = sum(1 for _label, pattern in _CLASSES if pattern.search(password))
        if found < self.min_classes:
            raise ValidationError(
                f"密码需包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class RepeatedCharactersValidator:
    """No run of more than ``DANGJIAN_PASSWORD_MAX_REPEAT`` identical characters, and not fewer
    distinct characters than that plus two (``zzzzzzzzzzzz``, ``abababababab``)."""

    def __init__(self, max_repeat: int | None = None) -> None:
        self._max_repeat = max_repeat

    @property
    def max_repeat(self) -> int:
        return self._max_repeat or _setting("DANGJIAN_PASSWORD_MAX_REPEAT", 3)

    def validate(self, password: str, user: Any = None) -> None:
        run = re.search(r"(.)\1{" + str(self.max_repeat) + ",}", password)
        if run or len(set(password)) < self.max_repeat + 2:
            raise ValidationError(
                f"密码不能有同一字符连续出现超过 {self.max_repeat} 次，"
                "也不能只由少数几个字符重复组成。",
                code="password_repetitive",
            )

    def get_help_text(self) -> str:
        return f"同一字符连续不超过 {self.max_repeat} 次。"


def password_core(password: str) -> str:
    """The word a password is built on: lower case, common letter substitutions undone, digits
    and symbols at both ends removed (``Dangjian@2026!`` → ``dangjian``)."""
    lowered = password.lower()
    return (_EDGES.sub("", lowered) or lowered).translate(_LEET)


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    """Django's list of common passwords, and the project's words (plus
    ``DANGJIAN_PASSWORD_FORBIDDEN_WORDS``) with digits or symbols around them."""

    def validate(self, password: str, user: Any = None) -> None:
        super().validate(password, user)
        extra = {
            w.strip().lower() for w in getattr(settings, "DANGJIAN_PASSWORD_FORBIDDEN_WORDS", [])
        }
        core = password_core(password)
        if core in PROJECT_WORDS or core in extra or core in self.passwords:
            raise ValidationError(
                "密码由常见单词（如机构名称的拼音、常用账号名）加数字或符号组成，容易被猜中，请换一个。",
                code="password_too_common",
            )

    def get_error_message(self) -> str:
        return "这个密码太常见了，容易被猜中，请换一个。"

    def get_help_text(self) -> str:
        return "不能是常见密码，也不能由机构名称等常见单词加数字组成。"


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    """Not too close to the username, name or e-mail (Chinese message)."""

    LABELS = {"username": "用户名", "first_name": "名", "last_name": "姓", "email": "电子邮箱"}

    def __init__(self, user_attributes: Any = None, max_similarity: float = 0.7) -> None:
        super().__init__(
            user_attributes or (*self.DEFAULT_USER_ATTRIBUTES, "display_name"), max_similarity
        )

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError as exc:
            raise ValidationError(
                "密码与账号信息（用户名、姓名）过于相似，请换一个。", code="password_too_similar"
            ) from exc

    def get_help_text(self) -> str:
        return "不能与用户名、姓名过于相似。"

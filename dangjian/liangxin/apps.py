from django.apps import AppConfig


class LiangxinConfig(AppConfig):
    name = "dangjian.liangxin"
    label = "liangxin"
    verbose_name = "两新组织覆盖与党建指导员"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the LIANGXIN-* rules)

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dangjian.notify"
    label = "notify"
    verbose_name = "消息提醒"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (listens to the service orders' signals)

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    verbose_name = "核心"

    def ready(self) -> None:
        from .lookups import register

        register()  # path prefixes read from an index on SQLite (core/lookups.py)

import logging

from django.apps import AppConfig

log = logging.getLogger(__name__)


class ExchangeConfig(AppConfig):
    name = "dangjian.exchange"
    verbose_name = "导入导出"

    def ready(self) -> None:
        from dangjian.core.uploads import remove_stale_uploads

        # copies of uploads (ID numbers in the clear) that a crash of an earlier version left
        removed = remove_stale_uploads()
        if removed:
            log.warning("removed %d stale upload file(s) from the temp directory", len(removed))

from django.apps import AppConfig


class BatchConfig(AppConfig):
    name = "dangjian.batch"
    verbose_name = "批量检查"

from django.apps import AppConfig


class AssessConfig(AppConfig):
    name = "dangjian.assess"
    verbose_name = "质量考核"

from django.apps import AppConfig


class LifeConfig(AppConfig):
    name = "dangjian.life"
    verbose_name = "组织生活"

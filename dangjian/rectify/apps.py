from django.apps import AppConfig


class RectifyConfig(AppConfig):
    name = "dangjian.rectify"
    label = "rectify"
    verbose_name = "整改（一支一策）"

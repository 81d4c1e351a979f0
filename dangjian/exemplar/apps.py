from django.apps import AppConfig


class ExemplarConfig(AppConfig):
    name = "dangjian.exemplar"
    label = "exemplar"
    verbose_name = "典型培育与党建品牌"

from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "dangjian.inspection"
    label = "inspection"
    verbose_name = "督查与暗访"

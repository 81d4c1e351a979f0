from django.apps import AppConfig


class RecruitConfig(AppConfig):
    name = "dangjian.recruit"
    verbose_name = "发展党员"

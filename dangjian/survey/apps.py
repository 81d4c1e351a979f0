from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "dangjian.survey"
    verbose_name = "满意度测评"

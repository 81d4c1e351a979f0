from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "dangjian.training"
    label = "training"
    verbose_name = "党员教育培训"

    def ready(self) -> None:
        from dangjian.rules.params import register_validator

        from . import rules  # registers the TRAINING rules with the rules engine

        register_validator("TRAINING", rules.validate_params)

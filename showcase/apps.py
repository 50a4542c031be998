from django.apps import AppConfig


class ShowcaseConfig(AppConfig):
    name = "showcase"
    verbose_name = "Site content"

    def ready(self):
        from . import signals  # noqa: F401 - connects cache invalidation on save

from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = "Transparency log"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy check

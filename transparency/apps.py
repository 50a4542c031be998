from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = "Transparency log"

    def ready(self):
        from . import checks, witnesses  # noqa: F401 - the deploy check; the witnesses' receiver

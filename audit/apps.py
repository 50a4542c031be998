from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The public audit viewer: the framework's decisions and the feed's ingest log, read-only.

    What it shows is stored by the ingest in `metrics/`; this app only reads and publishes it.
    """

    name = "audit"
    verbose_name = "Audit"

from django.apps import AppConfig


class SiteConfig(AppConfig):
    """What belongs to the whole site rather than one app: its caches, headers and health."""

    name = "tractatus_site"
    verbose_name = "Site"

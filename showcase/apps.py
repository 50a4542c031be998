from django.apps import AppConfig


class ShowcaseConfig(AppConfig):
    name = "showcase"
    verbose_name = "Site content"

    def ready(self):
        from metrics.models import FrameworkService
        from tractatus_site.pagecache import invalidate_on_change

        # Editors' saves reach visitors at once.
        invalidate_on_change(*self.get_models(), FrameworkService)

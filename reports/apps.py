from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Monthly enforcement reports"

    def ready(self):
        from tractatus_site.pagecache import invalidate_on_change

        invalidate_on_change(*self.get_models())

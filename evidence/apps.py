from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Live evidence"

    def ready(self):
        from tractatus_site.pagecache import invalidate_on_change

        # A new check, or a target changed in the admin, changes what the pages show.
        invalidate_on_change(self.get_model("Check"), self.get_model("ProbeTarget"))

from django.apps import AppConfig


class ImagesConfig(AppConfig):
    """The image library: uploads cleaned of metadata, with responsive renditions."""

    name = "images"
    verbose_name = "Images"

    def ready(self):
        from tractatus_site.pagecache import invalidate_on_change

        # An image's alt text, caption or credit shows on pages: a change reaches visitors at once.
        invalidate_on_change(*self.get_models())

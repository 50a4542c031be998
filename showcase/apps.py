from django.apps import AppConfig


class ShowcaseConfig(AppConfig):
    name = "showcase"
    verbose_name = "Site content"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from images.models import Image
        from metrics.models import FrameworkService
        from tractatus_site.pagecache import invalidate_on_change

        from .links import refresh_images

        # Editors' saves reach visitors at once.
        invalidate_on_change(*self.get_models(), FrameworkService)

        # The text that shows an image shows it as it is now.
        def image_changed(sender, instance, **kwargs):
            refresh_images(instance.pk)

        post_save.connect(image_changed, sender=Image, weak=False,
                          dispatch_uid="showcase-image-saved")
        post_delete.connect(image_changed, sender=Image, weak=False,
                            dispatch_uid="showcase-image-deleted")

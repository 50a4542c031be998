"""Editors' saves reach visitors at once: any content change invalidates cached pages."""

from django.db.models.signals import post_delete, post_save

from metrics.models import FrameworkService
from tractatus_site import pagecache

from . import models

CONTENT_MODELS = (
    models.SiteSettings,
    models.NavLink,
    models.Page,
    models.Section,
    models.Highlight,
    models.EnforcementExample,
    models.EvidenceItem,
    FrameworkService,
)


def _invalidate(**kwargs):
    pagecache.invalidate()


for model in CONTENT_MODELS:
    post_save.connect(_invalidate, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
    post_delete.connect(
        _invalidate, sender=model, dispatch_uid=f"pagecache-delete-{model.__name__}"
    )

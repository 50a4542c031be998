"""The one row the caches read to know whether editors' content changed."""

from __future__ import annotations

import uuid

from django.db import models


class ContentVersion(models.Model):
    """A token every change to editors' content replaces, in the same transaction.

    It lives in the database, not the cache, so that a database restored from a backup brings
    back the token of its own content: what was cached for other content is never read again.
    A counter would not do: after a restore it would count again through values already used.
    """

    token = models.UUIDField(default=uuid.uuid4)

    def __str__(self):
        return str(self.token)

    @classmethod
    def replace(cls) -> None:
        if not cls.objects.update(token=uuid.uuid4()):
            cls.objects.create()

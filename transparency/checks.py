"""`check --deploy`: a production site without a log key publishes nothing anyone can verify."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def signing_key_set(app_configs, **kwargs) -> list[Warning]:
    if settings.LOG_SIGNING_KEY:
        return []
    return [
        Warning(
            "LOG_SIGNING_KEY is not set: the transparency log signs no checkpoint and "
            "/log/checkpoint answers 503.",
            hint="Make one with `manage.py log_key --new <origin>` (docs/transparency.md).",
            id="transparency.W001",
        )
    ]

"""Sign-in, enrolment and recovery codes: django-two-factor-auth's URLs, two views recording.

Its "disable two-factor" view is left out: staff always have a second factor, and only a
superuser resets one (from the admin's users list), which is recorded.
"""

from django.urls import path
from two_factor.urls import urlpatterns as two_factor_urlpatterns

from .views import EnrolView, RecoveryCodesView

OWN_VIEWS = {"setup": EnrolView.as_view(), "backup_tokens": RecoveryCodesView.as_view()}


def _ours(pattern):
    name = getattr(pattern, "name", None)
    if name in OWN_VIEWS:
        return path(str(pattern.pattern), OWN_VIEWS[name], name=name)
    return pattern


library_patterns, app_name = two_factor_urlpatterns
urlpatterns = [_ours(p) for p in library_patterns if getattr(p, "name", None) != "disable"]

"""The admin site: only staff past the second factor (staff.verification) get in."""

from django.shortcuts import redirect
from two_factor.admin import AdminSiteOTPRequired
from two_factor.utils import default_device

from .verification import is_verified_staff


class StaffAdminSite(AdminSiteOTPRequired):
    site_header = "Tractatus site administration"
    site_title = "Tractatus admin"

    def has_permission(self, request):
        return is_verified_staff(request)

    def login(self, request, extra_context=None):
        """Sign in with django-two-factor-auth; staff past the password with no device enrol."""
        user = request.user
        if user.is_active and user.is_staff and not default_device(user):
            return redirect("two_factor:setup")
        return super().login(request, extra_context)

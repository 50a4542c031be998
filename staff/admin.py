"""Staff accounts in the admin: security events (read-only), a superuser's device reset, and
sign-in lockouts that only superusers see or clear."""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from two_factor.plugins.webauthn.models import WebauthnDevice

from tractatus_site.admin import ReadOnlyAdmin

from .devices import reset_second_factor
from .models import SecurityEvent

# Devices change only through enrolment and the recorded reset below, never by hand.
for device_model in (TOTPDevice, StaticDevice, WebauthnDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)



def superusers_only(model_admin: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """The same admin, shown to superusers alone whatever permissions a group holds."""

    class SuperusersOnly(model_admin):
        def has_module_permission(self, request):
            return request.user.is_superuser

        def has_view_permission(self, request, obj=None):
            return request.user.is_superuser

        def has_change_permission(self, request, obj=None):
            return request.user.is_superuser and super().has_change_permission(request, obj)

        def has_delete_permission(self, request, obj=None):
            return request.user.is_superuser

    return SuperusersOnly


# Clearing a lockout lifts the throttle on an account that may be under attack: superusers only
# (the lockout page says so, and names `manage.py axes_reset_username`).
for lockout_model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(lockout_model):
        registered = type(admin.site.get_model_admin(lockout_model))
        admin.site.unregister(lockout_model)
        admin.site.register(lockout_model, superusers_only(registered))


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "username", "actor", "detail"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "actor"]
    date_hierarchy = "at"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    actions = ["reset_second_factor"]

    def has_reset_second_factor_permission(self, request) -> bool:
        return request.user.is_superuser

    @admin.action(
        description="Reset the second factor (they enrol again at next sign-in)",
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            removed = reset_second_factor(user, by=request.user)
            self.message_user(
                request, f"{user}: {removed} device(s) removed.", messages.SUCCESS
            )

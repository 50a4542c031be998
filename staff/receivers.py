"""Signal receivers: a sign-in with a recovery code is recorded."""

from django.dispatch import receiver
from django_otp.plugins.otp_static.models import StaticDevice
from two_factor.signals import user_verified

from .models import SecurityEvent


@receiver(user_verified, dispatch_uid="staff-recovery-code-used")
def record_recovery_code_use(sender, request, user, device, **kwargs):
    if isinstance(device, StaticDevice):
        remaining = device.token_set.count()
        SecurityEvent.record(
            SecurityEvent.Kind.RECOVERY_CODE_USED, user, detail=f"{remaining} code(s) left"
        )

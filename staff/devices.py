"""A staff member's second-factor devices: recovery codes and a superuser's reset."""

from __future__ import annotations

from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from .models import SecurityEvent

RECOVERY_CODES = 10
# The name django-two-factor-auth gives the device holding its backup tokens.
RECOVERY_DEVICE_NAME = "backup"


@transaction.atomic
def issue_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ten new single-use ones."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    device.token_set.bulk_create([StaticToken(device=device, token=code) for code in codes])
    SecurityEvent.record(SecurityEvent.Kind.RECOVERY_CODES_ISSUED, user)
    return codes


@transaction.atomic
def reset_second_factor(user, by) -> int:
    """Delete every device of `user` (and its recovery codes): they enrol again to sign in."""
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    SecurityEvent.record(
        SecurityEvent.Kind.RESET, user, actor=by, detail=f"{len(devices)} device(s) removed"
    )
    return len(devices)

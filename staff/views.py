"""django-two-factor-auth's enrolment and recovery-code views, recording what they do."""

from __future__ import annotations

from django.shortcuts import redirect
from two_factor.views import BackupTokensView, SetupView

from .devices import issue_recovery_codes
from .models import SecurityEvent


class EnrolView(SetupView):
    """The library's enrolment; the new device comes with ten recovery codes, shown next."""

    success_url = "two_factor:backup_tokens"

    def done(self, form_list, **kwargs):
        response = super().done(form_list, **kwargs)
        user = self.request.user
        SecurityEvent.record(SecurityEvent.Kind.ENROLLED, user, detail=str(user.otp_device))
        issue_recovery_codes(user)
        return response


class RecoveryCodesView(BackupTokensView):
    """The library's recovery-code page; new codes are issued (and recorded) by one service."""

    def form_valid(self, form):
        issue_recovery_codes(self.request.user)
        return redirect(self.success_url)

"""The admin's forms for pages and sections: a save that takes a live row off the site asks
first, and says what visitors will see."""

from __future__ import annotations

import copy

from django import forms
from django.utils import timezone

from .models import Page

# The buttons that save a change form; the Preview button (name "_preview") saves nothing.
SAVE_BUTTONS = ("_save", "_continue", "_addanother")


class ConfirmHiding(forms.ModelForm):
    """Asks before a save hides a live page or section: an expiry already past, or a go-live
    still to come. The tick box shows only when the save needs it."""

    confirm_hiding = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label="Yes, take it off the site"
    )

    def clean(self):
        cleaned = super().clean()
        if not self._saving() or cleaned.get("confirm_hiding"):
            return cleaned
        now = timezone.now()
        stored = self.instance
        if stored.pk is None or not (stored.published and stored.shows_at(now)):
            return cleaned
        changed = copy.copy(stored)
        for name in ("published", "go_live_at", "expire_at"):
            if name in cleaned:
                setattr(changed, name, cleaned[name])
        when = changed.hidden_from_now(now)
        if when:
            self.fields["confirm_hiding"].widget = forms.CheckboxInput()
            self.add_error("confirm_hiding", self.consequence(stored, when))
        return cleaned

    def _saving(self) -> bool:
        return any(button in self.data for button in SAVE_BUTTONS)

    @staticmethod
    def consequence(stored, when: str) -> str:
        if isinstance(stored, Page):
            what = (f"Visitors will get “page not found” at {stored.get_absolute_url()} {when}, "
                    "and menus will leave out links to it.")
        else:
            what = f"Visitors will no longer see the section “{stored}” {when}."
        return (f"{what} Tick “Yes, take it off the site” and save again to confirm, "
                "or change the dates.")

"""Checking what a URL asks for: every path and query parameter in range, or a 400 saying why.

Each endpoint parses its parameters in one named form or function (`audit.events.EventFilters`,
`audit.ingest_log.LogQuery`, `reports.monthly.report_month`), so a cache can normalise a query
the way the endpoint reads it. A reason never repeats the input.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import BadRequest
from django.core.validators import MaxValueValidator, MinValueValidator

# Days and months before the Unix epoch, or so late that the day after them does not exist,
# are no one's records: refused before they reach date arithmetic or the database.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9999, 12, 30)
DAY_RANGE = f"a date from {FIRST_DAY} to {LAST_DAY}"


class InvalidParameter(BadRequest):
    """A parameter out of range: the site's 400 handler answers with `reason`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ParameterForm(forms.Form):
    """A form that reads a query string and names its first problem in one short line."""

    def problem(self) -> str:
        """The first error as one short line ("decision: must be …"), for a 400."""
        name, errors = next(iter(self.errors.items()))
        return f"{name}: {errors[0]}" if name != "__all__" else errors[0]

    def checked(self) -> dict:
        """The cleaned parameters, or InvalidParameter naming the first problem."""
        if not self.is_valid():
            raise InvalidParameter(self.problem())
        return self.cleaned_data


def day_field(label: str) -> forms.DateField:
    """A UTC day, YYYY-MM-DD, within FIRST_DAY..LAST_DAY."""
    return forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        label=label,
        validators=[
            MinValueValidator(FIRST_DAY, message=DAY_RANGE),
            MaxValueValidator(LAST_DAY, message=DAY_RANGE),
        ],
        error_messages={"invalid": "a date is YYYY-MM-DD"},
    )


def is_api(request) -> bool:
    """Whether `request` is for the JSON and CSV API, whose errors are JSON."""
    return request.path.startswith("/api/") and request.path != "/api/"

"""Template filters that format production figures the one way the site shows them."""

from django import template

from metrics.figures import State, format_count, format_percent

register = template.Library()

register.filter("count", format_count)
register.filter("percent", format_percent)


@register.filter
def state_label(state: str) -> str:
    return State.LABELS[state]


@register.filter
def change(value: int | None) -> str:
    """+1,234 / −56 / ±0: a month-on-month difference, signed so it reads at a glance."""
    if value is None:
        return ""
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{abs(value):,}"

"""An admin change form's current values, as a browser would resubmit them."""

from __future__ import annotations


def _values(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if callable(value):
            value = value()
        key = form.add_prefix(name)
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = value
    return data


def change_form_data(client, url: str) -> dict:
    """The form's fields and those of its inline forms, with their management forms."""
    response = client.get(url)
    assert response.status_code == 200
    data = _values(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        for form in formset.initial_forms:
            data.update(_values(form))
    return data

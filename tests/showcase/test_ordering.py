"""Editors reorder by dragging (or the keyboard's buttons); visitors see the new order at once."""

import json

import pytest
from django.contrib.auth.models import Permission

from showcase.models import Citation, EnforcementExample, EvidenceItem, NavLink, Page, Section
from tests.signin import signed_in

from .admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def move(staff_client, model: str, *pairs):
    """What a drag (or a ↑/↓ button) in a list sends: the moved rows and their new numbers."""
    return staff_client.post(
        f"/admin/showcase/{model}/adminsortable2_update/",
        json.dumps({"updatedItems": [[str(pk), order] for pk, order in pairs]}),
        content_type="application/json",
    )


def test_sections_reordered_in_the_page_form_change_the_page_for_visitors(staff_client, client):
    about = Page.objects.get(slug="about")
    first, second = about.sections.all()[:2]
    page = body(client.get("/about/"))  # and so cached
    assert page.index(first.heading) < page.index(second.heading)
    url = f"/admin/showcase/page/{about.pk}/change/"
    data = change_form_data(staff_client, url)
    prefix = {v: k.removesuffix("-id") for k, v in data.items() if k.endswith("-id")}
    # What the drag leaves in the hidden order fields: the second section now first.
    data[f"{prefix[first.pk]}-order"], data[f"{prefix[second.pk]}-order"] = 2, 1
    assert staff_client.post(url, data).status_code == 302
    page = body(client.get("/about/"))
    assert page.index(second.heading) < page.index(first.heading)


def test_the_page_form_hides_the_numbers_behind_drag_handles(staff_client):
    about = Page.objects.get(slug="about")
    page = body(staff_client.get(f"/admin/showcase/page/{about.pk}/change/"))
    assert 'class="module sortable' in page
    assert 'type="hidden" name="sections-0-order"' in page
    assert "showcase/admin/reorder" in page  # the keyboard's buttons


@pytest.mark.parametrize(
    ("model", "rows", "path"),
    [
        ("enforcementexample", lambda: EnforcementExample.objects.all(), "/enforcement/"),
        ("navlink", lambda: NavLink.objects.all(), "/"),
    ],
)
def test_a_list_reordered_by_drag_changes_the_site_at_once(staff_client, client, model, rows,
                                                          path):
    first, second = list(rows())[:2]
    page = body(client.get(path))  # and so cached
    assert page.index(str(first)) < page.index(str(second))
    response = move(staff_client, model, (first.pk, second.order), (second.pk, first.order))
    assert response.status_code == 200
    page = body(client.get(path))
    assert page.index(str(second)) < page.index(str(first))


def test_each_row_a_drag_moves_gets_a_version_with_who_moved_it(staff_client):
    first, second = EnforcementExample.objects.all()[:2]
    before = first.history.count()
    move(staff_client, "enforcementexample", (first.pk, second.order), (second.pk, first.order))
    latest = first.history.first()
    assert first.history.count() == before + 1
    assert latest.order == second.order
    assert latest.history_user.username == "editor"


def test_staff_who_may_only_view_cannot_reorder(django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_enforcementexample"))
    client = signed_in(viewer)
    first, second = EnforcementExample.objects.all()[:2]
    response = move(client, "enforcementexample", (first.pk, second.order),
                    (second.pk, first.order))
    assert response.status_code == 403
    assert list(EnforcementExample.objects.all()[:2]) == [first, second]


def test_a_move_naming_a_row_that_is_gone_changes_nothing(staff_client):
    first = EnforcementExample.objects.first()
    response = move(staff_client, "enforcementexample", (first.pk, 99), (123456, 1))
    assert response.status_code == 400
    first.refresh_from_db()
    assert first.order != 99


def cite(key: str, year: int, order: int) -> Citation:
    return Citation.objects.create(key=key, authors="Smith, Ada", title=f"Work {key}",
                                   year=year, order=order)


def test_citations_are_dragged_only_among_works_of_one_year(staff_client, client):
    page = Page.objects.get(slug="about")
    Section.objects.create(page=page, kind="citations", heading="Cited by", order=99)
    older, first, second = cite("old", 2024, 1), cite("a", 2026, 2), cite("b", 2026, 3)
    listing = body(staff_client.get("/admin/showcase/citation/"))
    assert 'class="drag handle"' not in listing
    assert "choose the year" in listing
    year = body(staff_client.get("/admin/showcase/citation/?year__exact=2026"))
    assert year.count('class="drag handle"') == 2
    move(staff_client, "citation", (first.pk, 3), (second.pk, 2))
    about = body(client.get("/about/"))
    assert about.index("Work b") < about.index("Work a") < about.index("Work old")
    # Even numbered first, an older work stays below the newer ones: the year decides first.
    move(staff_client, "citation", (older.pk, 0))
    about = body(client.get("/about/"))
    assert about.index("Work a") < about.index("Work old")


def test_evidence_steps_and_why_lines_have_numbers_of_their_own():
    kinds = list(EvidenceItem.objects.order_by("order").values_list("kind", "order"))
    assert [kind for kind, _ in kinds] == ["step"] * 4 + ["why"] * 3
    assert len({order for _, order in kinds}) == len(kinds)


def test_a_lists_editable_fields_are_named_for_their_row(staff_client):
    listing = body(staff_client.get("/admin/showcase/navlink/"))
    assert 'aria-label="Published: Home"' in listing
    assert 'aria-label="Published: Live in Production"' in listing

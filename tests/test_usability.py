"""What people see on the pages, beyond what they may do: empty lists that say why they are
empty, links and hints that match the person's rights, limits in plain words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")


def test_an_empty_list_says_nothing_is_there_yet_and_a_filtered_one_blames_the_filters(cast, client_for):
    client = client_for(cast.outsider)
    html = client.get(reverse("keys:key_list")).content.decode()
    assert "No keys yet." in html and "match these filters" not in html
    html = client.get(reverse("keys:key_list"), {"q": "no-such-key"}).content.decode()
    assert "No keys match these filters." in html


def test_the_overview_does_not_promise_read_only_people_what_they_cannot_do(cast, client_for):
    html = client_for(cast.internal_viewer).get(reverse("home")).content.decode()
    assert "create, block, rotate" not in html
    assert "Individual requests of the last days." in html  # error logs are for admins
    html = client_for(cast.proxy_admin).get(reverse("home")).content.decode()
    assert "create, block, rotate" in html and "requests and errors" in html


def test_budget_rows_link_to_their_edit_page_only_for_people_who_may_edit(cast, client_for):
    row = factories.make_budget(max_budget=10.0)
    edit_url = reverse("budgets:budget_row_edit", args=[row["budget_id"]])
    assert f'href="{edit_url}"' in client_for(cast.proxy_admin).get(reverse("budgets:budget_rows")).content.decode()
    viewer_html = client_for(cast.admin_viewer).get(reverse("budgets:budget_rows")).content.decode()
    assert f'href="{edit_url}"' not in viewer_html and f'title="{row["budget_id"]}"' in viewer_html
    assert client_for(cast.admin_viewer).get(edit_url).status_code == 403  # what the link would have met


def test_a_team_without_limits_says_no_limit(cast, client_for):
    html = client_for(cast.member).get(reverse("accounts:team_detail", args=[cast.team["team_id"]])).content.decode()
    assert "Tokens per minute" in html and "no limit" in html and "— / —" not in html


def test_form_and_confirm_pages_lead_back_to_the_list_and_the_object(cast, client_for):
    key = factories.make_key(user_id=cast.member["user_id"], key_alias="crumb-key")
    html = client_for(cast.member).get(reverse("keys:key_delete", args=[key["token"]])).content.decode()
    assert f'<a href="{reverse("keys:key_list")}">Keys</a> / ' in html
    assert f'<a href="{reverse("keys:key_detail", args=[key["token"]])}">crumb-key</a> / ' in html
    team_url = reverse("accounts:team_detail", args=[cast.team["team_id"]])
    html = client_for(cast.team_admin).get(reverse("accounts:team_member_add", args=[cast.team["team_id"]]))
    assert f'<a href="{team_url}">{cast.team["team_alias"]}</a> / ' in html.content.decode()


def test_team_forms_come_in_titled_sections(cast, client_for):
    html = client_for(cast.proxy_admin).get(reverse("accounts:team_create")).content.decode()
    for legend in ("Team", "Budget", "Rate limits"):
        assert f"<legend>{legend}</legend>" in html
    assert "{#" not in html  # no template comment leaks onto the page


def test_people_who_see_only_their_own_keys_get_no_owner_column_or_filters(cast, client_for):
    factories.make_key(user_id=cast.member["user_id"], alias="own-key")
    html = client_for(cast.member).get(reverse("keys:key_list")).content.decode()
    assert "own-key" in html
    assert 'name="user"' not in html and 'name="organization"' not in html and ">Owner<" not in html
    html = client_for(cast.team_admin).get(reverse("keys:key_list")).content.decode()
    assert 'name="user"' in html and ">Owner<" in html


def test_an_audit_update_lists_what_changed_field_by_field(cast, client_for):
    from config import writes
    from config.models import AuditLog

    team_id = cast.team["team_id"]
    with writes.atomic():
        writes.audit(
            writes.Actor(changed_by=cast.proxy_admin["user_id"], writer_id=cast.proxy_admin["user_id"]),
            writes.UPDATED,
            "TeamTable",
            team_id,
            {"team_id": team_id, "max_budget": 10.0, "team_alias": "Research"},
            {"max_budget": 20.0},
        )
    entry = AuditLog.objects.filter(object_id=team_id).order_by("-updated_at").first()
    html = client_for(cast.admin_viewer).get(reverse("audit:audit_detail", args=[entry.id])).content.decode()
    assert "What changed" in html
    assert (
        '<td class="mono small">max_budget</td><td class="mono small">10.0</td><td class="mono small">20.0</td>' in html
    )
    assert f'href="{reverse("accounts:team_detail", args=[team_id])}"' in html


def test_roles_read_as_words_on_screen_and_stay_ids_in_the_csv(cast, client_for):
    client = client_for(cast.proxy_admin)
    html = client.get(reverse("accounts:user_list")).content.decode()
    assert 'title="internal_user_viewer">Internal user viewer</span>' in html
    body = b"".join(client.get(reverse("accounts:user_list"), {"export": "csv"}).streaming_content).decode()
    assert "internal_user_viewer" in body and "Internal user viewer" not in body

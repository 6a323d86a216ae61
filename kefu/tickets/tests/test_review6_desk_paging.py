"""The desk's page number is free text in the URL (issue 13 review): whatever it is, the desk answers with a page
(the first one when it is no page number), never a server error — as Paginator.get_page did before keyset paging."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["²", "١٢", "9" * 5000, "-1", "0", "abc", ""])
def test_a_page_number_that_is_none_shows_a_page(clients, make_ticket, page):
    make_ticket(title="翻页")
    response = clients("agent").get("/tickets/", {"page": page})
    assert response.status_code == 200
    assert 'data-testid="ticket-table"' in response.content.decode()

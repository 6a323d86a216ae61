"""QA inspectors read tickets and change none (R-ORG-2): neither a new ticket nor an attachment, through the
API as on the pages; nothing is written when refused."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.tickets.models import Attachment, Ticket


def test_r_org_2_qa_cannot_create_a_ticket_through_the_api(demo, clients):
    before = Ticket.objects.count()
    response = clients("qa").post("/api/v1/tickets", {"shop": "tmall", "type": "consultation",
                                                       "channel": "hotline", "title": "质检员建单"},
                                  content_type="application/json")
    assert response.status_code == 403
    assert Ticket.objects.count() == before
    agent = clients("agent").post("/api/v1/tickets", {"shop": "tmall", "type": "consultation",
                                                       "channel": "hotline", "title": "坐席建单"},
                                  content_type="application/json")
    assert agent.status_code == 201


def test_r_org_2_qa_cannot_attach_a_file(demo, clients, make_ticket):
    ticket = make_ticket()
    upload = SimpleUploadedFile("note.txt", "客户来电记录".encode(), content_type="text/plain")
    response = clients("qa").post(f"/tickets/{ticket.pk}/attach/", {"attachments": [upload]})
    assert response.status_code in {403, 422}
    assert not Attachment.objects.filter(ticket=ticket).exists()

"""Ticket attachments (R-TIC-1, R-SEC, R-AUD): stored under DATA_DIR/attachments, size and type
checked, names sanitized, served only through the scope-checked view, uploads and downloads audited."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput
from kefu.org.models import Shop
from kefu.tickets import attachments
from kefu.tickets.models import Attachment

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _upload(client, ticket, *files):
    return client.post(f"/tickets/{ticket.pk}/attach/", {"attachments": list(files)}, **HX)


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\发票 扫描件.pdf", "发票 扫描件.pdf"),
    ("a<b>c|d?.png", "a_b_c_d_.png"),
    ("   .hidden  ", "hidden"),
    ("", "file"),
    ("x" * 300 + ".jpg", "x" * 146 + ".jpg"),
])
def test_r_sec_file_names_are_sanitized(raw, clean):
    assert attachments.sanitize_name(raw) == clean


def test_r_tic_1_upload_on_the_ticket_page(demo, clients, make_ticket, data_dir):
    ticket = make_ticket()
    response = _upload(clients("agent"), ticket, SimpleUploadedFile("../照片.png", PNG, content_type="image/png"),
                       SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf"))
    assert response.status_code == 200
    stored = list(Attachment.objects.filter(ticket=ticket).order_by("id"))
    assert [a.name for a in stored] == ["照片.png", "invoice.pdf"]
    for a in stored:
        path = data_dir / "attachments" / a.path
        assert path.is_file() and ".." not in a.path
    assert (data_dir / "attachments" / stored[0].path).read_bytes() == PNG
    assert AuditEvent.objects.filter(object_type="tickets.attachment", action="create").count() == 2
    assert "照片.png" in response.content.decode()


def test_r_tic_1_upload_on_create(demo, clients, data_dir):
    response = clients("agent").post("/tickets/new/", {
        "shop": "tmall", "type": "fault", "channel": "hotline", "priority": "high", "title": "宽带故障",
        "attachments": [SimpleUploadedFile("modem.jpg", b"\xff\xd8\xff\xe0" + b"1" * 32, content_type="image/jpeg")]})
    assert response.status_code == 302
    att = Attachment.objects.get()
    assert att.ticket.title == "宽带故障" and att.content_type == "image/jpeg"


def test_r_tic_1_refused_attachment_on_create_creates_no_ticket(demo, clients):
    from kefu.tickets.models import Ticket

    response = clients("agent").post("/tickets/new/", {
        "shop": "tmall", "type": "fault", "channel": "hotline", "priority": "high", "title": "宽带故障",
        "attachments": [SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")]})
    assert response.status_code == 200 and 'data-field="attachments"' in response.content.decode()
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_r_tic_1_too_large_is_refused(demo, clients, make_ticket, data_dir):
    from kefu.rules.services import set_rule

    set_rule(actor=demo.users["admin"], key="tickets.attachment_max_mb", value=1, version=0)
    ticket = make_ticket()
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    response = _upload(clients("agent"), ticket, big)
    assert response.status_code == 422
    assert "1 MB" in response.content.decode()
    assert not Attachment.objects.exists()
    assert not list((data_dir / "attachments").rglob("*.*")) if (data_dir / "attachments").exists() else True


@pytest.mark.parametrize(("name", "content", "ctype"), [
    ("virus.exe", b"MZ\x90\x00\x03", "application/x-msdownload"),
    ("page.html", b"<html><script>alert(1)</script>", "text/html"),
    ("fake.png", b"MZ\x90\x00 not a png", "image/png"),  # the first bytes give it away
    ("note.txt", b"#!/bin/sh\nrm -rf /", "text/plain"),  # a script, whatever its name
    ("photo.png", PNG, "application/pdf"),  # declared type does not match the name
    ("empty.pdf", b"", "application/pdf"),
])
def test_r_tic_1_wrong_type_is_refused(demo, clients, make_ticket, name, content, ctype):
    ticket = make_ticket()
    response = _upload(clients("agent"), ticket, SimpleUploadedFile(name, content, content_type=ctype))
    assert response.status_code == 422
    assert 'data-testid="attach-error"' in response.content.decode()
    assert not Attachment.objects.exists()


def test_r_tic_1_one_bad_file_refuses_the_whole_upload(demo, make_ticket, data_dir):
    ticket = make_ticket()
    with pytest.raises(InvalidInput) as exc:
        attachments.add_attachments(actor=demo.users["agent1"], ticket_id=ticket.pk, uploads=[
            SimpleUploadedFile("ok.png", PNG, content_type="image/png"),
            SimpleUploadedFile("bad.exe", b"MZ", content_type="application/octet-stream")])
    assert [e.field for e in exc.value.errors] == ["attachments"]
    assert not Attachment.objects.exists()
    assert not (data_dir / "attachments").exists() or not any(p.is_file() for p in (data_dir / "attachments").rglob("*"))


def test_r_org_2_download_in_scope_gives_the_bytes_and_is_audited(demo, clients, make_ticket):
    ticket = make_ticket()
    [att] = attachments.add_attachments(actor=demo.users["agent1"], ticket_id=ticket.pk,
                                        uploads=[SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf")])
    for role in ("agent", "lead", "head"):
        response = clients(role).get(f"/tickets/attachments/{att.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(object_type="tickets.attachment", action="view").count() == 3


def test_r_org_2_download_outside_scope_is_404(demo, make_ticket, clients):
    shop = Shop.objects.create(centre=demo.centre, code="douyin", name="抖音店")
    demo.teams[1].shops.add(shop)
    demo.shops["douyin"] = shop
    ticket = make_ticket(actor="agent4", shop="douyin")
    [att] = attachments.add_attachments(actor=demo.users["agent4"], ticket_id=ticket.pk,
                                        uploads=[SimpleUploadedFile("a.png", PNG, content_type="image/png")])
    assert clients("agent").get(f"/tickets/attachments/{att.pk}/").status_code == 404  # agent1, 一班
    assert clients("anonymous").get(f"/tickets/attachments/{att.pk}/").status_code == 302
    assert not AuditEvent.objects.filter(object_type="tickets.attachment", action="view").exists()
    outsider = Client()
    outsider.force_login(demo.users["agent4"])
    assert outsider.get(f"/tickets/attachments/{att.pk}/").status_code == 200
    assert clients("agent").post(f"/tickets/{ticket.pk}/attach/", {
        "attachments": [SimpleUploadedFile("b.png", PNG, content_type="image/png")]}).status_code == 404


def test_r_sec_files_are_not_under_media_or_static(demo, make_ticket, settings, data_dir):
    ticket = make_ticket()
    [att] = attachments.add_attachments(actor=demo.users["agent1"], ticket_id=ticket.pk,
                                        uploads=[SimpleUploadedFile("a.png", PNG, content_type="image/png")])
    path = (data_dir / "attachments" / att.path).resolve()
    assert Path(settings.MEDIA_ROOT).resolve() not in path.parents
    assert path.parent.parent.parent == (data_dir / "attachments").resolve()

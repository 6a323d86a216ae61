"""Every accepted attachment type is checked by its content (issue 8, item 10; R-SEC, R-ERR): an HTML
page called pic.webp, a binary called note.txt or a text with script markup is refused on the
``attachments`` field, and nothing is stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.core.errors import InvalidInput
from kefu.core.testing import zh
from kefu.tickets import attachments
from kefu.tickets.models import Attachment

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}

WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 24
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + b"\x00" * 24
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 32
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 32
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 16
AMR = b"#!AMR\n" + b"\x3c" * 32
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _check(name: str, content: bytes, ctype: str = "application/octet-stream") -> list[str]:
    try:
        attachments.check_uploads([SimpleUploadedFile(name, content, content_type=ctype)], centre_id=None)
    except InvalidInput as exc:
        assert {e.field for e in exc.errors} == {"attachments"}
        return [e.message for e in exc.errors]
    return []


@pytest.mark.parametrize(("name", "content"), [
    ("pic.webp", WEBP), ("call.wav", WAV), ("call.mp3", MP3_ID3), ("call2.mp3", MP3_FRAME), ("call.m4a", M4A),
    ("call.amr", AMR),
    ("note.txt", "客户来电记录：宽带已恢复。\nOK\r\n".encode()),
    ("note-gbk.txt", "客户来电记录：宽带已恢复。".encode("gb18030")),
    ("note-bom.txt", "\ufeff客户说 1 < 2 且 a<b".encode()),
    ("win.txt", "记事本 Unicode".encode("utf-16")),
    ("list.csv", "姓名,电话\n张三,13800138000\n".encode("gb18030")),
])
def test_r_sec_files_whose_content_matches_their_name_are_accepted(name, content):
    assert _check(name, content) == []


@pytest.mark.parametrize(("name", "content"), [
    ("pic.webp", HTML),  # the case
    ("pic.webp", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 24),  # a WAV called .webp
    ("call.wav", WEBP),
    ("call.mp3", b"<html>" + b"\x00" * 32),
    ("call.m4a", b"\x00\x00\x00\x20moov" + b"\x00" * 32),
    ("call.amr", b"#!/bin/sh\nrm -rf /\n"),
    ("photo.webp", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
])
def test_r_sec_binary_types_are_checked_by_their_magic_bytes(name, content):
    assert _check(name, content) == [zh("%(name)s: the file's content does not match its name.", name=name)]


@pytest.mark.parametrize(("name", "content"), [
    ("note.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),  # binary
    ("note.txt", b"hello\x00world"),  # a NUL byte
    ("note.txt", b"\xff\xfe\xfd\x80\x81"),  # neither UTF-8 nor GB18030
    ("list.csv", b"MZ\x90\x00\x03\x00\x00\x00"),
])
def test_r_sec_text_files_must_be_text(name, content):
    assert _check(name, content) == [zh(
        "%(name)s is not a text file: a text file must be UTF-8 or GB18030 text without binary data.", name=name)]


@pytest.mark.parametrize(("name", "content"), [
    ("note.txt", HTML),
    ("note.txt", "客户留言\n<script src=//evil.example/x.js></script>".encode()),
    ("note.txt", b'see <img src=x onerror="alert(1)">'),
    ("note.txt", b"<svg/onload=alert(1)>"),
    ("note.txt", "<iframe src=x>".encode("gb18030")),
    ("list.csv", b"name,link\nx,<a href=\"javascript:alert(1)\">y</a>\n"),
    ("note.txt", b"#!/bin/sh\nrm -rf /"),
])
def test_r_sec_text_files_with_markup_or_scripts_are_refused(name, content):
    assert _check(name, content) == [zh("%(name)s: a text file may not contain HTML or script markup.", name=name)]


def test_r_err_a_disguised_webp_is_refused_on_the_field_and_nothing_is_stored(demo, clients, make_ticket, data_dir):
    ticket = make_ticket()
    response = clients("agent").post(f"/tickets/{ticket.pk}/attach/", {"attachments": [
        SimpleUploadedFile("pic.webp", HTML, content_type="image/webp")]}, **HX)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="attach-error"' in page and "pic.webp" in page
    assert not Attachment.objects.exists()
    assert not (data_dir / "attachments").exists() or not any(p.is_file() for p in (data_dir / "attachments").rglob("*"))


def test_r_sec_every_allowed_type_has_a_content_check():
    checked = set(attachments.MAGIC) | set(attachments.CONTAINERS) | attachments.TEXT_TYPES | {".mp3"}
    assert set(attachments.ALLOWED_TYPES) <= checked

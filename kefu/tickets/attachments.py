"""Ticket attachments (R-TIC-1): files stored under ``DATA_DIR/attachments`` (never under MEDIA or
static), with a size limit (rule ``tickets.attachment_max_mb``), an allow-list of file types checked
by extension, declared content type and content — every type by its magic bytes (WebP and WAV by
their RIFF header, M4A by "ftyp", MP3 by ID3 or a frame header), .txt and .csv as UTF-8/GB18030 text
without NUL or control bytes and without HTML or script markup — and a sanitized display name. Files are
served only after :func:`open_attachment` checked the ticket's scope; uploads and downloads are
recorded in the audit trail (R-AUD)."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record
from kefu.core.errors import Errors, NotFound
from kefu.rules.selectors import get_rule
from kefu.tickets.access import access_ticket, refuse_read_only, tickets_in_scope
from kefu.tickets.choices import EventKind
from kefu.tickets.models import Attachment, TicketEvent

FIELD = "attachments"

# extension → content types a browser may declare for it (application/octet-stream is always accepted)
ALLOWED_TYPES: dict[str, frozenset[str]] = {
    ".jpg": frozenset({"image/jpeg", "image/pjpeg"}),
    ".jpeg": frozenset({"image/jpeg", "image/pjpeg"}),
    ".png": frozenset({"image/png"}),
    ".gif": frozenset({"image/gif"}),
    ".webp": frozenset({"image/webp"}),
    ".pdf": frozenset({"application/pdf"}),
    ".txt": frozenset({"text/plain"}),
    ".csv": frozenset({"text/csv", "text/plain", "application/vnd.ms-excel"}),
    ".doc": frozenset({"application/msword"}),
    ".docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    ".xls": frozenset({"application/vnd.ms-excel"}),
    ".xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    ".mp3": frozenset({"audio/mpeg", "audio/mp3"}),
    ".wav": frozenset({"audio/wav", "audio/x-wav", "audio/wave"}),
    ".m4a": frozenset({"audio/mp4", "audio/x-m4a", "audio/m4a"}),
    ".amr": frozenset({"audio/amr"}),
}
# Every accepted type is checked by its content (issue 8, item 10): the first bytes a file of that
# extension must start with (one of) …
MAGIC: dict[str, tuple[bytes, ...]] = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".amr": (b"#!AMR\n", b"#!AMR-WB\n"),
}
# … containers that name their type a few bytes in: (offset, bytes), all of which must match …
CONTAINERS: dict[str, tuple[tuple[int, bytes], ...]] = {
    ".webp": ((0, b"RIFF"), (8, b"WEBP")),
    ".wav": ((0, b"RIFF"), (8, b"WAVE")),
    ".m4a": ((4, b"ftyp"),),
}
# … MP3: an ID3 tag or an MPEG audio frame's sync bits; text: read whole (see _text_problem)
TEXT_TYPES = frozenset({".txt", ".csv"})
# executables and scripts are refused whatever they are called
FORBIDDEN_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"<script", b"<html", b"<!doctype", b"<svg", b"<?xml")
# markup a browser or a mail client would run or render, anywhere in a text file
_MARKUP = re.compile(
    r"<!doctype|<\?xml|<\s*/?\s*(?:script|html|head|body|iframe|frame|frameset|object|embed|applet|svg|math|meta|"
    r"link|style|base|form|template)[\s/>]|<[a-z][^>]*\son[a-z]+\s*=|<[a-z][^>]*javascript:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")  # tab, newlines, form feed, ^Z (DOS end) allowed
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_SPACES = re.compile(r"\s+")
NAME_MAX = 150


def root() -> Path:
    return Path(settings.DATA_DIR) / "attachments"


def sanitize_name(raw: str) -> str:
    """A display name without directories, control or shell characters; keeps Chinese; at most
    150 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("_", name)
    name = _SPACES.sub(" ", name).strip(" .")
    if not name:
        return "file"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        return name[:NAME_MAX]
    ext = ext[:10]
    return f"{stem[:NAME_MAX - len(ext) - 1]}.{ext}" if stem else f"file.{ext}"


def extension(name: str) -> str:
    return Path(name).suffix.lower()


def max_bytes(centre_id: int | None) -> int:
    return int(get_rule("tickets.attachment_max_mb", centre_id=centre_id)) * 1024 * 1024


def help_text(centre_id: int | None) -> str:
    return _("At most %(mb)s MB each: images, PDF, Office documents, text, recordings.") % {
        "mb": max_bytes(centre_id) // (1024 * 1024)}


def _magic_ok(ext: str, head: bytes) -> bool:
    if ext in MAGIC:
        return head.startswith(MAGIC[ext])
    if ext in CONTAINERS:
        return all(head[at:at + len(sig)] == sig for at, sig in CONTAINERS[ext])
    if ext == ".mp3":
        return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    return False


def _decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Windows "Unicode" text) or GB18030; else None."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _text_problem(upload, name: str) -> str | None:
    """Why a .txt or .csv file is not plain text (or None): not UTF-8/GB18030, NUL or other control
    bytes (a binary file), or HTML/script markup."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    text = _decode_text(data or b"")
    if text is None or _CONTROL.search(text):
        return _("%(name)s is not a text file: a text file must be UTF-8 or GB18030 text without binary "
                 "data.") % {"name": name}
    stripped = text.lstrip("\ufeff \t\r\n").lower().encode("utf-8", errors="ignore")
    if stripped.startswith(FORBIDDEN_MAGIC) or _MARKUP.search(text):
        return _("%(name)s: a text file may not contain HTML or script markup.") % {"name": name}
    return None


def _head(upload, n: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return head or b""


def check_uploads(uploads, *, centre_id: int | None) -> None:
    """Refuse (InvalidInput on ``attachments``) files that are too large, empty, or of a type not
    on the allow-list, all named at once. Nothing is written."""
    errors = Errors()
    limit = max_bytes(centre_id)
    allowed = ", ".join(sorted(ALLOWED_TYPES))
    for upload in uploads:
        name = sanitize_name(upload.name)
        ext = extension(name)
        declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
        head = _head(upload)
        if upload.size > limit:
            errors.add(FIELD, _("%(name)s is larger than %(mb)s MB.") % {"name": name, "mb": limit // (1024 * 1024)})
        elif upload.size == 0:
            errors.add(FIELD, _("%(name)s is empty.") % {"name": name})
        elif ext not in ALLOWED_TYPES:
            errors.add(FIELD, _("%(name)s: this type of file is not accepted (allowed: %(allowed)s).")
                       % {"name": name, "allowed": allowed})
        elif declared and declared != "application/octet-stream" and declared not in ALLOWED_TYPES[ext]:
            errors.add(FIELD, _("%(name)s: the file's content type %(type)s does not match its name.")
                       % {"name": name, "type": declared})
        elif ext in TEXT_TYPES:
            problem = _text_problem(upload, name)
            if problem:
                errors.add(FIELD, problem)
        elif not _magic_ok(ext, head) or (
                ext != ".amr" and head.lstrip().lower().startswith(FORBIDDEN_MAGIC)):
            errors.add(FIELD, _("%(name)s: the file's content does not match its name.") % {"name": name})
    errors.raise_if_any(_("The attachments were not accepted."))


def _store(upload) -> tuple[Path, str]:
    now = timezone.now()
    relative = Path(f"{now:%Y}") / f"{now:%m}" / f"{uuid.uuid4().hex}{extension(upload.name)}"
    target = root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return target, relative.as_posix()


@transaction.atomic
def add_attachments(*, actor, ticket_id: int, uploads) -> list[Attachment]:
    """Anyone who may see the ticket may attach files (as with internal notes). All or nothing: a
    refused file refuses the whole upload; files written for a rolled-back upload are removed."""
    ticket = access_ticket(actor, ticket_id)
    refuse_read_only(actor)
    uploads = list(uploads)
    if not uploads:
        errors = Errors()
        errors.add(FIELD, _("Choose a file."))
        errors.raise_if_any(_("The attachments were not accepted."))
    check_uploads(uploads, centre_id=ticket.shop.centre_id)
    now = timezone.now()
    written: list[Path] = []
    created: list[Attachment] = []
    try:
        for upload in uploads:
            target, relative = _store(upload)
            written.append(target)
            name = sanitize_name(upload.name)
            ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            att = Attachment.objects.create(ticket=ticket, name=name, path=relative, size=upload.size,
                                            content_type=ctype, uploaded_by=actor, uploaded_at=now)
            created.append(att)
            record(actor=actor, action=Action.CREATE, obj=att,
                   after={"ticket": ticket.pk, "name": name, "size": upload.size, "content_type": ctype})
        TicketEvent.objects.create(ticket=ticket, at=now, actor=actor, kind=EventKind.NOTE,
                                   body=", ".join(a.name for a in created),
                                   data={"attachments": [a.pk for a in created]})
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise

    return created


def attachments_of(ticket) -> list[Attachment]:
    return list(Attachment.objects.filter(ticket=ticket).select_related("uploaded_by").order_by("uploaded_at", "id"))


def open_attachment(*, actor, attachment_id: int, ip: str | None = None) -> tuple[Attachment, Path]:
    """The attachment and its file, for a caller who may see its ticket (NotFound otherwise, so a
    file outside the scope looks absent). The download is recorded."""
    att = (Attachment.objects.filter(pk=attachment_id, ticket__in=tickets_in_scope(actor).values("pk"))
           .select_related("ticket").first())
    if att is None:
        raise NotFound(_("No such attachment."))
    base = root().resolve()
    path = (base / att.path).resolve()
    if base not in path.parents or not path.is_file():
        raise NotFound(_("The file of this attachment is missing."))
    record(actor=actor, action=Action.VIEW, obj=att, note=f"download ticket {att.ticket.number}", ip=ip)
    return att, path

"""What an evidence file is, told from its content, never from its name.

``inspect`` reads an uploaded file once: its size (refused above
``EVIDENCE_MAX_BYTES``), its SHA-256, and its type from its first bytes and,
for office documents, from the entries of the zip they are: PDF, PNG, JPEG,
ODT, ODS, DOCX, XLSX, or plain text (UTF-8 without control characters). A
file of any other kind, or one whose content does not match what its name
says, is refused with a clear message.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

TEXT = "text/plain"
ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
OOXML = {
    "word/document.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "xl/workbook.xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}
SIMPLE = {"application/pdf", "image/png", "image/jpeg"}
ALLOWED_NAMES = "PDF, PNG, JPEG, ODT, ODS, DOCX, XLSX, TXT"
# The media types a stored file is served with, one per kind above.
CONTENT_TYPES = tuple(
    sorted(SIMPLE | {TEXT} | {kind.decode() for kind in ODF} | set(OOXML.values()))
)
CONTROL = set(range(32)) - {9, 10, 13}


class FileRefused(ValueError):
    """The file is not evidence we accept; the message says why."""


class FileTooLarge(FileRefused):
    """Larger than the limit (a 413)."""


@dataclass(frozen=True)
class Inspected:
    size: int
    sha256: str
    content_type: str


def inspect(uploaded, limit: int | None = None) -> Inspected:
    """Size, hash and type of an uploaded file, or ``FileRefused`` saying why."""
    limit = settings.EVIDENCE_MAX_BYTES if limit is None else limit
    if uploaded.size is not None and uploaded.size > limit:
        raise FileTooLarge(_too_large(limit))
    digest, size, head = hashlib.sha256(), 0, b""
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        size += len(chunk)
        if size > limit:
            raise FileTooLarge(_too_large(limit))
        digest.update(chunk)
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
    if size == 0:
        raise FileRefused(_("The file is empty."))
    uploaded.seek(0)
    return Inspected(size, digest.hexdigest(), _content_type(uploaded, head))


def _too_large(limit: int) -> str:
    return _("The file is larger than %(size)s MB, the most accepted.") % {
        "size": round(limit / (1024 * 1024), 1)
    }


def _content_type(uploaded, head: bytes) -> str:
    if head.startswith(b"PK"):
        return _office_type(uploaded)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in SIMPLE:
        return kind.mime
    if kind is None and _is_text(uploaded):
        return TEXT
    raise FileRefused(
        _("This kind of file is not accepted as evidence: send %(kinds)s.")
        % {"kinds": ALLOWED_NAMES}
    )


def _office_type(uploaded) -> str:
    """ODT, ODS, DOCX or XLSX, from the entries of the zip file they are."""
    try:
        data = io.BytesIO(b"".join(uploaded.chunks()))
        with zipfile.ZipFile(data) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").strip()
                if mimetype in ODF:
                    return mimetype.decode()
            if "[Content_Types].xml" in names:
                for entry, content_type in OOXML.items():
                    if entry in names:
                        return content_type
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise FileRefused(_("The file is a damaged archive.")) from exc
    finally:
        uploaded.seek(0)
    raise FileRefused(
        _("This archive is not an ODT, ODS, DOCX or XLSX document: send %(kinds)s.")
        % {"kinds": ALLOWED_NAMES}
    )


def _is_text(uploaded) -> bool:
    """UTF-8 text with no control character but tabs and line breaks."""
    uploaded.seek(0)
    data = b"".join(uploaded.chunks())
    uploaded.seek(0)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not CONTROL.intersection(data)

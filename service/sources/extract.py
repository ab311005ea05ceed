"""Turning an uploaded file into the text a source archives: a text file as it is, an HTML page's
main text (trafilatura: no navigation, scripts, cookie banners or footers), a PDF's text layer
(pypdf). The upload's own bytes keep their own SHA-256.

Anything that cannot become a sound archived text raises a validation error naming the `file`
field, before anything is stored: an empty file, a type that is not allowed, bytes that do not
decode, a page with no main text, control characters, a text over the limit, or a PDF that
expands to more than MAX_PDF_DECODED_BYTES. `service.sources.sandbox` runs these within limits
of time and memory.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import logging
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import pypdf
import trafilatura
from pypdf.errors import LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

from service.errors import FieldError, TrackerError, invalid

TEXT, HTML, PDF = "text/plain", "text/html", "application/pdf"
MEDIA_TYPE_BY_SUFFIX = {".txt": TEXT, ".html": HTML, ".htm": HTML, ".pdf": PDF}
# What a client may say a file is, besides its own type: browsers send these for files they
# do not know.
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
ALSO_ACCEPTED = {HTML: frozenset({"application/xhtml+xml"}), PDF: frozenset({"application/x-pdf"})}
# A page whose main text is shorter than this holds no article: a login wall, an app shell.
MIN_HTML_WORDS = 10
# A PDF of more pages than this is a book, not a source; refused before reading it all.
MAX_PDF_PAGES = 300
# The bytes a PDF's pages may draw from, decoded, across the whole document: a stream that
# several pages share counts once for each. Past it the PDF is refused before its text is read
# (a few kilobytes of PDF can expand to gigabytes, or to minutes of parsing). pypdf reads text
# from about 0.8 MB of content a second, so a PDF near the bound already takes most of the time
# an upload is given (service.sources.sandbox); a page of text draws from a few kilobytes.
MAX_PDF_DECODED_BYTES = 8 * 1024 * 1024
# No single stream may decode to more (pypdf stops decompressing there).
_PDF_LIMITS = {
    name: MAX_PDF_DECODED_BYTES
    for name in (
        "zlib_maximum_output_length",
        "lzw_maximum_output_length",
        "run_length_maximum_output_length",
        "brotli_maximum_output_length",
        "array_based_stream_maximum_output_length",
        "stream_decoding_work_maximum_length",
    )
}
# Control characters other than tab, line feed and carriage return have no place in a source.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Cookie and consent banners: without the article, trafilatura would take them for the text.
PRUNED = [
    "//*[contains(translate(concat(' ', @id, ' ', @class, ' ', @aria-label),"
    " 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '" + word + "')]"
    for word in ("cookie", "consent", "gdpr")
]
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)

# trafilatura reports pages it finds nothing in at WARNING; the 422 says it already.
logging.getLogger("trafilatura").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Extracted:
    text: str  # the text to archive
    media_type: str  # the upload's type: text/plain, text/html or application/pdf
    original_sha256: str  # of the upload's bytes, as received


def _refused(message: str) -> TrackerError:
    return invalid(FieldError("file", message))


def _media_type(filename: str, content_type: str | None) -> str:
    suffix = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    media_type = MEDIA_TYPE_BY_SUFFIX.get(suffix)
    if media_type is None:
        allowed = ", ".join(sorted(MEDIA_TYPE_BY_SUFFIX))
        raise _refused(f"{filename or 'the file'}: only {allowed} files can be uploaded.")
    given = (content_type or "").split(";")[0].strip().lower()
    if given not in GENERIC_TYPES | {media_type} | ALSO_ACCEPTED.get(media_type, frozenset()):
        raise _refused(f"{filename} was sent as {given}, which is not {media_type}.")
    return media_type


def _charset(data: bytes, content_type: str | None) -> str:
    """The page's encoding: a byte order mark, then the Content-Type header, then the page's
    own meta tag, else UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    declared = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type or "", re.I)
    found = declared.group(1) if declared else None
    if found is None:
        meta = META_CHARSET.search(data[:4096])
        found = meta.group(1).decode("ascii") if meta else "utf-8"
    try:
        return codecs.lookup(found).name
    except LookupError as exc:
        raise _refused(f"the page declares an unknown character set ({found}).") from exc


def _decoded(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        label = "UTF-8" if encoding.startswith("utf-8") else encoding
        raise _refused(f"the file is not valid {label} (byte {exc.start}: {exc.reason}).") from exc


def _html_text(data: bytes, content_type: str | None) -> str:
    page = _decoded(data, _charset(data, content_type))
    found = trafilatura.extract(
        page,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_precision=True,
        prune_xpath=PRUNED,
    )
    if found is None or len(found.split()) < MIN_HTML_WORDS:
        raise _refused("no article text could be found in the page.")
    return _paragraphs(found.splitlines())


def _paragraphs(lines: list[str]) -> str:
    """Blocks a blank line apart, as the seed sources are; a list's items and a table's rows
    stay on consecutive lines, under the line that introduces them."""
    text = ""
    for line in (line.rstrip() for line in lines):
        if not line.strip():
            continue
        joined = line.lstrip().startswith(("- ", "| ")) and text
        text += ("\n" if joined else "\n\n" if text else "") + line
    return text


def _pdf_text(data: bytes) -> str:
    if not data.startswith(b"%PDF-"):
        raise _refused("the file is not a PDF.")
    try:
        with _pdf_limits():
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise _refused("the PDF is protected by a password.")
            if len(reader.pages) > MAX_PDF_PAGES:
                raise _refused(f"the PDF has more than {MAX_PDF_PAGES} pages.")
            _check_expansion(reader.pages)
            pages = [page.extract_text() for page in reader.pages]
    except LimitReachedError as exc:
        raise _refused(_TOO_BIG) from exc
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise _refused("the PDF could not be read.") from exc
    # A PDF's lines are kept as they are set; pages are a blank line apart.
    text = "\n\n".join(filter(None, (_tidied(page) for page in pages)))
    if not text:
        raise _refused("the PDF has no text layer (a scan?); upload its text instead.")
    return text


def _pdf_limits() -> AbstractContextManager[pypdf.Configuration]:
    return pypdf.apply_configuration(pypdf.get_configuration().with_overwrites(**_PDF_LIMITS))


_TOO_BIG = f"the PDF expands to more than {MAX_PDF_DECODED_BYTES // (1024 * 1024)} MB."


def _check_expansion(pages: Any) -> None:
    """LimitReachedError when the pages' content streams, and the forms they draw, come to more
    than MAX_PDF_DECODED_BYTES decoded: each page's count, shared streams included."""
    total = 0
    for page in pages:
        streams = _streams(page.get("/Contents"))
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        xobjects = resources.get("/XObject") if isinstance(resources, DictionaryObject) else None
        xobjects = xobjects.get_object() if xobjects is not None else None
        if isinstance(xobjects, DictionaryObject):
            for xobject in xobjects.values():
                xobject = xobject.get_object()
                if isinstance(xobject, StreamObject) and xobject.get("/Subtype") == "/Form":
                    streams.append(xobject)
        for stream in streams:
            total += len(stream.get_data())
            if total > MAX_PDF_DECODED_BYTES:
                raise LimitReachedError(_TOO_BIG)


def _streams(contents: Any) -> list[StreamObject]:
    contents = contents.get_object() if contents is not None else None
    if isinstance(contents, StreamObject):
        return [contents]
    if isinstance(contents, ArrayObject):
        found = (part.get_object() for part in contents)
        return [part for part in found if isinstance(part, StreamObject)]
    return []


def _tidied(page: str) -> str:
    """A page's text without trailing spaces, and no more than one blank line in a row."""
    lines = [line.rstrip() for line in page.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def extract_text(
    *, filename: str, content_type: str | None, data: bytes, max_chars: int
) -> Extracted:
    """The text to archive from an uploaded file, or a validation error naming `file`.

    A text file is archived exactly as decoded from UTF-8, line endings included, but without
    a byte order mark: that mark says how the bytes are encoded and is not part of the text
    (the original bytes, mark and all, keep their own SHA-256)."""
    media_type = _media_type(filename, content_type)
    if not data:
        raise _refused("the file is empty.")
    if media_type == TEXT:
        text = _decoded(data, "utf-8-sig")
    elif media_type == HTML:
        text = _html_text(data, content_type)
    else:
        text = _pdf_text(data)
    if not text.strip():
        raise _refused("the file holds no text.")
    control = CONTROL.search(text)
    if control:
        code = f"U+{ord(control.group()):04X}"
        raise _refused(f"the text holds a control character ({code}) at {control.start()}.")
    if len(text) > max_chars:
        raise _refused(f"the text is {len(text):,} characters long; the limit is {max_chars:,}.")
    return Extracted(text, media_type, hashlib.sha256(data).hexdigest())


def readings(data: bytes, media_type: str) -> list[str] | None:
    """Every way the bytes of an upload may be read by whoever downloads it: as each encoding it
    may be in (what it declares, UTF-8, Latin-1, UTF-16 when it looks like it), with HTML's
    character references and URLs' percent escapes resolved; a PDF's text layer and its
    metadata. Whatever any of them holds, the file holds (its title, meta tags and footer too,
    which the archived text leaves out). None: a PDF that cannot be read, so nobody can tell."""
    texts: list[str] = []
    if media_type == PDF:
        pdf = _pdf_readings(data)
        if pdf is None:
            return None
        texts += pdf
    encodings = ["utf-8", "latin-1"]
    declared = META_CHARSET.search(data[:65536])
    if declared is not None:
        encodings.insert(0, declared.group(1).decode("ascii", "replace"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or data[:200].count(b"\0") > 20:
        encodings += ["utf-16", "utf-16-le", "utf-16-be"]
    for encoding in encodings:
        try:
            text = data.decode(encoding, errors="replace")
        except LookupError:
            continue
        texts += [text, html.unescape(text), unquote(html.unescape(text))]
    return texts


def _pdf_readings(data: bytes) -> list[str] | None:
    try:
        with _pdf_limits():
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                return None
            pages = reader.pages[:MAX_PDF_PAGES]
            _check_expansion(pages)
            found = [page.extract_text() or "" for page in pages]
            if reader.metadata is not None:
                found += [str(value) for value in reader.metadata.values()]
    except (PyPdfError, ValueError, KeyError, TypeError):
        return None
    return found

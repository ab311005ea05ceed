"""Turning an upload into the archived text: text files as they are, an HTML page's article
only, a PDF's text layer; every bad upload refused with a 422 naming the file field."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pypdf
import pytest

from service.errors import Invalid
from service.sources.candidates import find_candidates
from service.sources.extract import extract_text

PAGES = Path(__file__).resolve().parent / "pages"
LIMIT = 100_000


def _refusal(**upload: object) -> str:
    arguments: dict[str, object] = {"content_type": None, "max_chars": LIMIT, **upload}
    with pytest.raises(Invalid) as caught:
        extract_text(**arguments)  # type: ignore[arg-type]
    error = caught.value
    assert [e.field for e in error.errors] == ["file"]
    return error.errors[0].message


def test_a_news_page_gives_its_article_only() -> None:
    data = (PAGES / "kelby-article.html").read_bytes()
    extracted = extract_text(
        filename="kelby.html", content_type="text/html; charset=utf-8", data=data, max_chars=LIMIT
    )
    assert extracted.media_type == "text/html"
    assert extracted.original_sha256 == hashlib.sha256(data).hexdigest()
    assert extracted.text.split("\n\n") == [
        "Council pledges £450,000 to fix Kelby's potholes",
        "Kelby Borough Council has pledged £450,000 to repair potholes on the town's worst roads"
        " before the end of March.",
        "The council said it would recruit six additional highways inspectors and expects to"
        " complete the first 1,200 repairs by the summer.",
        "Opposition councillors accused the cabinet of ignoring complaints from residents on the"
        " Westfield estate for more than two years.",
        "Cllr Ann Bright, cabinet member for highways, said the money would be spent on the roads"
        " that residents had reported most often.",
        "The plan includes:\n- resurfacing 18 miles of the A614"
        "\n- replacing 300 broken drain covers",
    ]
    for left_out in ("cookies", "Accept all", "Sport", "Most read", "rights reserved", "gtag"):
        assert left_out not in extracted.text


def test_a_page_with_no_article_is_refused() -> None:
    data = (PAGES / "no-article.html").read_bytes()
    assert "no article text" in _refusal(filename="shell.html", data=data)


def test_a_page_in_its_declared_character_set_is_decoded() -> None:
    body = (
        "<p>" + "Le conseil a promis de réparer les routes du quartier avant l'été. " * 3 + "</p>"
    )
    page = f'<html><head><meta charset="iso-8859-1"></head><body><article>{body}</article>'
    extracted = extract_text(
        filename="page.htm", content_type=None, data=page.encode("latin-1"), max_chars=LIMIT
    )
    assert "réparer" in extracted.text


def test_a_text_file_is_archived_as_it_is_without_its_byte_order_mark() -> None:
    text = "Line one.\r\nLine two, café.\n"
    extracted = extract_text(
        filename="notes.TXT",
        content_type="text/plain",
        data=b"\xef\xbb\xbf" + text.encode(),
        max_chars=LIMIT,
    )
    assert extracted.text == text
    assert extracted.media_type == "text/plain"
    assert extracted.original_sha256 == hashlib.sha256(b"\xef\xbb\xbf" + text.encode()).hexdigest()


@pytest.mark.parametrize("data", [b"caf\xe9 au lait", b"ok \xff\xfe", b"\xc3"])
def test_bytes_that_are_not_utf8_are_refused(data: bytes) -> None:
    assert "not valid UTF-8 (byte" in _refusal(filename="notes.txt", data=data)


def test_bad_bytes_in_a_page_are_refused() -> None:
    assert "not valid UTF-8" in _refusal(filename="page.html", data=b"<p>caf\xe9</p>")


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("setup.exe", "application/x-msdownload"),
        ("minutes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("no-suffix", None),
        ("notes.txt", "application/x-msdownload"),
        ("page.html", "image/png"),
    ],
)
def test_file_types_that_are_not_allowed_are_refused(filename: str, content_type: str) -> None:
    message = _refusal(filename=filename, content_type=content_type, data=b"MZ\x90\x00")
    assert "only" in message or "which is not" in message


def test_a_program_renamed_to_txt_is_refused_for_its_control_characters() -> None:
    assert "control character (U+0000)" in _refusal(filename="notes.txt", data=b"MZ\x00\x00ab")


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    message = _refusal(filename="notes.txt", data=data)
    assert "empty" in message or "no text" in message


def test_a_text_over_the_limit_is_refused_and_one_at_it_is_kept() -> None:
    assert "limit is 10" in _refusal(filename="notes.txt", data=b"x" * 11, max_chars=10)
    assert extract_text(filename="a.txt", content_type=None, data=b"x" * 10, max_chars=10).text


def _pdf(*lines: str) -> bytes:
    """A one-page PDF with a text layer, written by hand."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    out.write(trailer.encode())
    return out.getvalue()


def test_a_pdf_gives_its_text_layer() -> None:
    data = _pdf("The council has pledged 450,000 pounds", "to repair potholes by March.")
    extracted = extract_text(
        filename="report.pdf", content_type="application/pdf", data=data, max_chars=LIMIT
    )
    assert extracted.media_type == "application/pdf"
    assert extracted.text == (
        "The council has pledged 450,000 pounds\nto repair potholes by March."
    )


def test_a_pdf_without_text_or_behind_a_password_or_broken_is_refused() -> None:
    blank = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.write(blank)
    assert "no text layer" in _refusal(filename="scan.pdf", data=blank.getvalue())

    locked = io.BytesIO()
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(_pdf("Secret plans."))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    writer.write(locked)
    assert "password" in _refusal(filename="locked.pdf", data=locked.getvalue())

    assert "could not be read" in _refusal(filename="broken.pdf", data=b"%PDF-1.4\ngarbage")
    assert "not a PDF" in _refusal(filename="fake.pdf", data=b"hello")


def test_an_extracted_page_is_ready_for_suggested_claims() -> None:
    data = (PAGES / "kelby-article.html").read_bytes()
    text = extract_text(filename="k.html", content_type=None, data=data, max_chars=LIMIT).text
    kinds = [(c.kind, c.quantity and c.quantity.unit) for c in find_candidates(text)]
    assert kinds[:3] == [
        ("commitment", "GBP"),
        ("commitment", "inspectors"),
        # "ignoring complaints ... for more than two years": how long, not what is alleged
        ("allegation", None),
    ]
    assert ("commitment", "miles") in kinds and ("commitment", "covers") in kinds

"""The printed report: a heading is never left alone at the foot of a page."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from simulator.ui.printing import html_to_pdf


def _pages(pdf) -> list[list[str]]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (scripts/setup.sh test)")
def test_a_heading_goes_to_the_next_page_with_what_it_heads(qapp, tmp_path):
    # However much comes before it, the heading ends up somewhere near a page's foot for one of these lengths.
    seen_on_page_2 = False
    for n in range(24, 48):
        paragraphs = "".join(f"<p>Turn {i}: the customer repeats the complaint about the late refund.</p>"
                             for i in range(n))
        html = (f"<html><body><h1>Session report</h1>{paragraphs}<h2>Handling the abuse</h2>"
                "<p>First boundary after the first abusive line: 1 reply.</p></body></html>")
        pages = _pages(html_to_pdf(html, tmp_path / f"r{n}.pdf"))
        for page in pages:
            body = page[:-1] if page and page[-1].isdigit() else page  # the page number
            assert not body or body[-1] != "Handling the abuse", n
        seen_on_page_2 |= any(p and p[0] == "Handling the abuse" for p in pages[1:])
    assert seen_on_page_2  # moved to the top of the next page at least once, not dropped


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (scripts/setup.sh test)")
def test_the_report_prints_the_same_whatever_text_size_the_exporter_uses(qapp, tmp_path):
    # Exported at 200 % text, the title and the score heading each took three lines: Qt sizes headings from the
    # document's default font, which was the app's, scaled.
    from PySide6.QtWidgets import QApplication
    from simulator.store.report import _STYLE
    html = (f"<html><head><style>{_STYLE}</style></head><body><h1>A caller threatens to come in and hurt someone</h1>"
            "<h2>Score: 80 / 100 (automatic; reviewed, no verdict changed)</h2>"
            + "".join(f"<p>Turn {i}: the customer repeats the complaint.</p>" for i in range(60)) + "</body></html>")
    before = QApplication.font()
    printed = {}
    try:
        for scale in (1.0, 2.0):
            font = QApplication.font()
            font.setPointSizeF(before.pointSizeF() * scale)
            QApplication.setFont(font)
            printed[scale] = _pages(html_to_pdf(html, tmp_path / f"r{scale}.pdf"))
    finally:
        QApplication.setFont(before)
    assert printed[1.0] == printed[2.0]
    first = printed[2.0][0]
    assert first[0].startswith("A caller threatens") and first[2].startswith("Score: 80")  # two lines, then one


def _verdicts_html(before: int, verdicts: int = 14, advice: str = "") -> str:
    from simulator.store.report import _STYLE, _TABLE, _head
    rows = [_TABLE, _head(("Automatic", 15), ("Criterion", 35), ("Evidence", 50), title="What you did")]
    for i in range(verdicts):
        rows.append(f"<tr><td class='met nowrap'>met</td><td><b>Criterion {i}</b></td><td>“Reply {i} of the trainee, "
                    "quoted with enough words to wrap onto a second line in this column”</td></tr>")
        rows.append(f"<tr><td></td><td colspan='2' class='feedback'>Advice {i} begins here. You named the behaviour "
                    "and said what would happen next; keep offering to solve the real problem, and end the call if "
                    f"the warnings are ignored. {advice}Advice {i} ends here.</td></tr>")
    turns = "".join(f"<p>Turn {k}: the customer repeats the complaint about the late refund.</p>" for k in range(before))
    return f"<html><head><style>{_STYLE}</style></head><body><h1>Report</h1>{turns}{''.join(rows)}</table></body></html>"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (scripts/setup.sh test)")
def test_a_verdict_and_its_advice_are_never_split_across_pages(qapp, tmp_path):
    # A manager found a verdict's advice begun at the foot of page 1 and ended overleaf. Whatever comes before the
    # table, every page the table is on ends with a whole verdict and its advice, and none is lost.
    for before in range(0, 12):
        pages = _pages(html_to_pdf(_verdicts_html(before), tmp_path / f"r{before}.pdf"))
        text = "\n".join("\n".join(p) for p in pages)
        assert all(f"Advice {i} ends here." in text for i in range(14))
        for page in pages[:-1]:
            body = page[:-1] if page and page[-1].isdigit() else page
            if any(line.startswith("met") for line in body):
                assert body[-1].endswith("ends here."), (before, body[-3:])
        next_pages = [p for p in pages[1:] if p]
        assert all(p[0] == "What you did" for p in next_pages if any(line.startswith("met") for line in p))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (scripts/setup.sh test)")
def test_a_row_taller_than_a_page_is_printed_across_pages(qapp, tmp_path):
    # It cannot be kept whole: it is printed as before, every word of it.
    long = "Every line of this advice is one more thing to say. " * 120
    pages = _pages(html_to_pdf(_verdicts_html(2, verdicts=2, advice=long), tmp_path / "long.pdf"))
    text = " ".join(" ".join(p) for p in pages)
    assert len(pages) >= 3 and "Advice 0 ends here." in text and "Advice 1 ends here." in text


def _transcript_html(before: int) -> str:
    from simulator.store.report import _STYLE, _TABLE, _head
    rows = [f"<tr><td class='small'>{i}</td><td class='trainee'>Trainee</td><td>Reply {i}, said in full "
            "and long enough to wrap onto a second line of this column of the transcript.</td></tr>" for i in range(30)]
    turns = "".join(f"<p>Line {k} of the report before the transcript.</p>" for k in range(before))
    return (f"<html><head><style>{_STYLE}</style></head><body><h1>Report</h1>{turns}<h2>Transcript</h2>{_TABLE}"
            f"{_head(('Turn', 8), ('Who', 17), ('Said', 75))}{''.join(rows)}</table></body></html>")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (scripts/setup.sh test)")
def test_a_transcript_turn_is_never_split_and_its_heading_never_left_behind(qapp, tmp_path):
    # A walker's report ended page 1 with a turn's number alone, its words overleaf (the row's text ended a
    # millimetre above the page's foot, its cell padding below it); another ended page 1 with "Transcript" and the
    # table's header row, every row overleaf.
    for before in range(30, 62):
        pages = _pages(html_to_pdf(_transcript_html(before), tmp_path / f"t{before}.pdf"))
        for page in pages[:-1]:
            body = page[:-1] if page and page[-1].isdigit() else page
            if not body:
                continue
            assert not body[-1].isdigit(), (before, body[-3:])  # a turn's number without its words
            assert body[-1] not in ("Transcript", "Turn Who Said") and not body[-1].startswith("Turn"), (before, body[-3:])
            if any(line.startswith("Reply") or "Trainee" in line for line in body):
                assert body[-1].endswith("transcript."), (before, body[-3:])
        text = " ".join(" ".join(p) for p in pages)
        assert all(f"Reply {i}," in text for i in range(30))

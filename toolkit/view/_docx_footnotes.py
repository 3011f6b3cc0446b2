"""Real Word footnotes for python-docx documents (python-docx has no footnote API).

    notes = Footnotes(document)            # adds word/footnotes.xml, its relationship and styles
    notes.add(paragraph, ["line 1", "line 2"])   # a footnote reference at the end of `paragraph`

What Word needs, and what this adds:
- a part `/word/footnotes.xml` (content type `...wordprocessingml.footnotes+xml`, written by python-docx
  as an `Override` in `[Content_Types].xml`) related from `document.xml` with the `footnotes`
  relationship type;
- in it the two separator footnotes Word expects (`w:id` -1: separator, 0: continuation separator),
  then one `w:footnote` per note, each opening with a `w:footnoteRef` run (the number in the note);
- in the body, a run holding `w:footnoteReference w:id=N` (the superscript number in the text);
- the "Footnote Text" and "Footnote Reference" styles, added when the template lacks them.

Text is stripped of characters XML 1.0 cannot hold, so any source text can go into a note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

__all__ = ["FOOTNOTES_PART", "Footnotes", "xml_safe"]

FOOTNOTES_PART = "/word/footnotes.xml"
TEXT_STYLE = "Footnote Text"
REFERENCE_STYLE = "Footnote Reference"

_SEPARATORS = (
    f"<w:footnotes {nsdecls('w')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """`text` without the control characters XML 1.0 forbids (they would make Word reject the file)."""
    return _NOT_XML.sub("", text)


class Footnotes:
    """The footnotes of one python-docx `Document`; numbering starts at 1 in the order added."""

    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        main = document.part
        for rel in main.rels.values():
            if rel.reltype == RT.FOOTNOTES:
                raise ValueError("this document already has a footnotes part; use a fresh Document()")
        self.part = XmlPart(PackURI(FOOTNOTES_PART), CT.WML_FOOTNOTES, parse_xml(_SEPARATORS), main.package)
        main.relate_to(self.part, RT.FOOTNOTES)
        self._ensure_styles()
        self.count = 0

    def _ensure_styles(self) -> None:
        styles = self.document.styles
        names = {s.name for s in styles}
        if TEXT_STYLE not in names:
            text = styles.add_style(TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
            text.base_style = styles["Normal"]
            text.font.size = Pt(9)
            text.paragraph_format.space_after = Pt(0)
        if REFERENCE_STYLE not in names:
            ref = styles.add_style(REFERENCE_STYLE, WD_STYLE_TYPE.CHARACTER)
            ref.font.superscript = True

    def add(self, paragraph: Paragraph, lines: Sequence[str]) -> int:
        """Append a footnote reference to `paragraph` and a footnote holding `lines` (one paragraph
        each); returns the footnote's number."""
        if not lines:
            raise ValueError("a footnote needs at least one line of text")
        self.count += 1
        note_id = str(self.count)
        run = paragraph.add_run()
        run.style = self.document.styles[REFERENCE_STYLE]
        reference = OxmlElement("w:footnoteReference")
        reference.set(qn("w:id"), note_id)
        run._r.append(reference)

        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), note_id)
        for k, line in enumerate(lines):
            p = OxmlElement("w:p")
            p_pr = OxmlElement("w:pPr")
            p_style = OxmlElement("w:pStyle")
            p_style.set(qn("w:val"), self._style_id(TEXT_STYLE))
            p_pr.append(p_style)
            p.append(p_pr)
            if k == 0:
                p.append(self._run(ref_mark=True))
                line = " " + line
            p.append(self._run(text=line))
            note.append(p)
        self.part.element.append(note)
        return self.count

    def _run(self, *, text: str = "", ref_mark: bool = False) -> Any:
        r = OxmlElement("w:r")
        if ref_mark:
            r_pr = OxmlElement("w:rPr")
            r_style = OxmlElement("w:rStyle")
            r_style.set(qn("w:val"), self._style_id(REFERENCE_STYLE))
            r_pr.append(r_style)
            r.append(r_pr)
            r.append(OxmlElement("w:footnoteRef"))
            return r
        t = OxmlElement("w:t")
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = xml_safe(text)
        r.append(t)
        return r

    def _style_id(self, name: str) -> str:
        return str(self.document.styles[name].style_id)

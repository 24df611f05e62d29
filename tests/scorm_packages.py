"""SCORM packages built in memory for the tests: good 1.2 and 2004 ones, and the bad ones
an upload must refuse."""

from __future__ import annotations

import io
import zipfile

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="igot.rti" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG-RTI">
    <organization identifier="ORG-RTI">
      <title>Right to Information for Public Information Officers</title>
      <item identifier="I1" identifierref="R1"><title>The RTI Act, 2005</title></item>
      <item identifier="I2" identifierref="R2"><title>First appeals</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="content/index.html">
      <file href="content/index.html"/></resource>
    <resource identifier="R2" type="webcontent" adlcp:scormtype="sco" href="content/appeals.html">
      <file href="content/appeals.html"/></resource>
  </resources>
</manifest>"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="igot.gem" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="GEM">
    <organization identifier="GEM"><title>Buying on GeM</title>
      <item identifier="M1" identifierref="RES" parameters="?unit=1"><title>Unit 1</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES" type="webcontent" adlcp:scormType="sco" xml:base="gem/" href="start.html"/>
  </resources>
</manifest>"""

PAGE = b"<!doctype html><title>RTI</title><h1>The Right to Information Act, 2005</h1>"


def build(entries: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def scorm12() -> bytes:
    return build({"imsmanifest.xml": MANIFEST_12, "content/index.html": PAGE, "content/appeals.html": PAGE})


def scorm2004() -> bytes:
    return build({"imsmanifest.xml": MANIFEST_2004, "gem/start.html": PAGE})


def zip_slip() -> bytes:
    return build(
        {
            "imsmanifest.xml": MANIFEST_12,
            "content/index.html": PAGE,
            "content/appeals.html": PAGE,
            "../../etc/cron.d/evil": b"* * * * * root sh -c 'id'",
        }
    )


def no_manifest() -> bytes:
    return build({"content/index.html": PAGE})


def nested_manifest() -> bytes:
    return build({"rti/imsmanifest.xml": MANIFEST_12, "rti/content/index.html": PAGE})


def broken_manifest() -> bytes:
    return build({"imsmanifest.xml": MANIFEST_12[:400], "content/index.html": PAGE})


def missing_launch() -> bytes:
    return build({"imsmanifest.xml": MANIFEST_12, "content/appeals.html": PAGE})  # the launch file left out


def entity_bomb() -> bytes:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<manifest><metadata><schemaversion>1.2</schemaversion><title>&b;</title></metadata></manifest>"
    )
    return build({"imsmanifest.xml": bomb})


EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode." * 20
)


def _one_page_pdf() -> bytes:
    """A real one-page PDF, whose pages the server can count."""
    import pypdf

    out = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(612, 792)
    writer.write(out)
    return out.getvalue()


PDF = _one_page_pdf()

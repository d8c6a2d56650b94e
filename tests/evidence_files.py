"""Small but real files of every accepted kind, and a few impostors, for the evidence tests."""

from __future__ import annotations

import io
import zipfile


def office(*parts: str) -> bytes:
    """A zip with the parts an Office file has (xlsx: "xl/…", docx: "word/…")."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in ("[Content_Types].xml", *parts):
            archive.writestr(part, "<xml/>")
    return buffer.getvalue()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
XLSX = office("xl/workbook.xml")
DOCX = office("word/document.xml")
CSV_GB18030 = "日期,服务对象,次数\n2026-11-01,张阿姨,3\n".encode("gb18030")
TEXT = "入户服务签到：20 人次。\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)
PLAIN_ZIP = office("evil/payload.bin")  # a zip, but not an Office document

GOOD = {"photo.jpg": JPEG, "photo.png": PNG, "签到表.pdf": PDF, "台账.xlsx": XLSX,
        "总结.docx": DOCX, "名单.csv": CSV_GB18030, "说明.txt": TEXT}

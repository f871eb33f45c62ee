"""Reading a file's text for check-secrets: whole, or block by block for big files."""
from __future__ import annotations

import codecs
import io
from collections.abc import Iterator

from gitworthy.findings import InspectionError
from gitworthy.secrets.scanner import split
from gitworthy.sources import File

BLOCK = 1 << 18        # bytes read at a time from a big file (256 KiB)


def is_baseline(head: bytes) -> bool:
    """A detect-secrets baseline, or gitworthy's own baseline or JSON report: their hashes and
    fingerprints look like hex secrets and hold none."""
    if not head.lstrip().startswith(b"{"):
        return False
    return (b'"findings"' in head and b'"fingerprint"' in head) or (
        b'"plugins_used"' in head and b'"results"' in head)


BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
SPREADSHEETS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a legacy .xls (and other Office 97 files)
ODS = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"  # stored first in an .ods
MAX_UNPACKED = 256 * 1024 * 1024  # a workbook whose parts expand beyond this is not opened


def kind(head: bytes, suffix: str) -> str:
    """How to read a file: "text" (UTF-8 or a legacy 8-bit encoding), "utf-32"/"utf-16"
    (a BOM, or ASCII text with every other byte NUL, as PowerShell's `>` writes), "gzip",
    "spreadsheet" (a workbook: .xlsx, .xlsm, .xlsb, .xls, or an OpenDocument sheet by its
    content, whatever its name), or "binary"."""
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return "text" if encoding == "utf-8-sig" else encoding
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if (head[:4] == b"PK\x03\x04" or head[:8] == OLE2) and suffix in SPREADSHEETS or \
            head[:4] == b"PK\x03\x04" and head[30:30 + len(ODS)] == ODS:
        return "spreadsheet"
    sample = head[:4096]
    if b"\0" not in sample:
        return "text"
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 8 and (odd.count(0) > 0.9 * len(odd) and even.count(0) == 0
                             or even.count(0) > 0.9 * len(even) and odd.count(0) == 0):
        return "utf-16-le" if odd.count(0) > even.count(0) else "utf-16-be"
    return "binary"


def read_text(file: File, limit: int, encoding: str = "utf-8-sig") -> str:
    with file.open() as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise InspectionError(f"larger than check-secrets' max-kb ({limit // 1024} KB): not "
                              "scanned for secrets (raise --max-kb, or keep data out of git)")
    return data.decode(encoding, "replace")


def gunzip_text(file: File, limit: int) -> str | None:
    """The text inside a gzip file (`.env.gz`), at most `limit` bytes of it; None when what
    it holds is binary (a compressed model or array: not text a credential is written in)."""
    import gzip
    import zlib

    try:
        with gzip.GzipFile(fileobj=file.open()) as stream:
            data = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error):
        raise InspectionError("a damaged gzip file: not scanned for secrets") from None
    if len(data) > limit:
        raise InspectionError(f"holds more than check-secrets' max-kb ({limit // 1024} KB) "
                              "of text: not scanned for secrets (raise --max-kb)")
    inner = kind(data[:8192], "")
    if inner in ("binary", "gzip", "spreadsheet"):
        return None
    return data.decode("utf-8-sig" if inner == "text" else inner, "replace")


def sheet_lines(file: File, limit: int, max_cells: int = 2_000_000) -> list[str]:
    """A workbook's cells as lines, one row a line (tab-separated), read by python-calamine
    (no formulas evaluated, no macros run), every sheet; at most `limit` bytes of file, and
    a zip whose parts would expand beyond MAX_UNPACKED is not opened."""
    import zipfile

    from python_calamine import CalamineWorkbook

    if file.size > limit:
        raise InspectionError(f"a spreadsheet larger than check-secrets' max-kb ({limit // 1024}"
                              " KB): not scanned for secrets (raise --max-kb, or keep data out "
                              "of git)")
    unreadable = InspectionError("not a readable workbook (corrupt, encrypted or not a "
                                 "workbook): not scanned for secrets")
    lines: list[str] = []
    cells = 0
    with file.open() as stream:
        data = stream.read()
    try:
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as parts:
                if sum(part.file_size for part in parts.infolist()) > MAX_UNPACKED:
                    raise InspectionError("a spreadsheet that expands beyond "
                                          f"{MAX_UNPACKED >> 20} MB: not scanned for secrets")
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in book.sheet_names:
            for row in book.get_sheet_by_name(name).iter_rows():
                cells += len(row)
                if cells > max_cells:
                    raise InspectionError("a spreadsheet too large to read: not scanned for "
                                          "secrets")
                lines.append("\t".join(str(v) for v in row if v != ""))
    except InspectionError:
        raise
    except Exception:  # noqa: BLE001 -- calamine raises its own errors for bad files
        raise unreadable from None
    return lines


def blocks(file: File, size: int = BLOCK) -> Iterator[str]:
    """The text of a file in blocks of whole lines (split at the last newline of each read),
    decoded as `read_text` does; the last block is what follows the last newline."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")("replace")
    carry = ""
    with file.open() as stream:
        while True:
            data = stream.read(size)
            text = carry + decoder.decode(data, final=not data)
            if not data:
                yield text
                return
            cut = text.rfind("\n")
            if cut < 0:
                carry = text
                continue
            yield text[:cut]
            carry = text[cut + 1:]


def streams(name: str, head: str) -> bool:
    """Whether the file can be scanned block by block with the same result as whole: no
    detect-secrets transformer can parse it. The YAML transformer takes .yaml files; the ini
    transformer fails on a first line that is not a `[section]`, and its eager form (files of
    no known type, parsed with a header added) on any unindented line without `=` or `:`
    (configparser's error for a line that is neither option, section nor comment), as in a
    CSV's header row."""
    from detect_secrets.util.filetype import FileType, determine_file_type

    kind = determine_file_type(name)
    if kind == FileType.YAML:
        return False
    lines = split(head)[:-1]  # the last one may be cut off
    significant = [x.strip() for x in lines if x.strip() and x.strip()[0] not in "#;"]
    if not significant or significant[0].startswith("["):
        return False
    if kind != FileType.OTHER:
        return True
    return any(x[:1].strip() and x.strip() and x.strip()[0] not in "#;["
               and "=" not in x and ":" not in x for x in lines)

"""Reading a file's text for check-secrets: whole, or block by block for big files."""
from __future__ import annotations

import codecs
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


def read_text(file: File, limit: int) -> str:
    with file.open() as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise InspectionError(f"larger than check-secrets' max-kb ({limit // 1024} KB): not "
                              "scanned for secrets (raise --max-kb, or keep data out of git)")
    return data.decode("utf-8-sig", "replace")


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

"""Blocks credentials in code, configs, data files and notebooks (passwords, tokens, cloud keys,
connection strings), found by detect-secrets' plugins and filters plus gitworthy's own
(`gitworthy.secrets`)."""
from __future__ import annotations

import re
from collections.abc import Hashable, Iterator, Sequence
from pathlib import Path

from gitworthy.engine import PRAGMA
from gitworthy.findings import Finding, InspectionError, Rule
from gitworthy.hook import run_hook
from gitworthy.secrets import reading
from gitworthy.secrets.reading import blocks, is_baseline, read_text, streams
from gitworthy.secrets.scanner import Hit, Scanner, mask, scanner, split
from gitworthy.sources import Context, File

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any

ID = "check-secrets"
OPTIONS: dict[str, Any] = {
    "max-kb": 10240,                          # larger text files are an error, not a silent pass
    "disable-plugins": [],                    # plugin class names, e.g. IPPublicDetector
    "secrets-baseline": ".secrets.baseline",  # detect-secrets' baseline at the root; "" = none
}

_WHY = (
    "A credential in git is a credential published: every clone, fork, CI cache and backup "
    "holds it, and deleting the line later does not remove it from history. Data-science repos "
    "leak the worst kind: warehouse passwords, cloud keys and tokens that open the customer "
    "data itself, pasted into a notebook or a config 'for now' and pushed with the analysis."
)
_FIX = (
    "Rotate the credential first (it is exposed once pushed), then read it at run time: an "
    "environment variable (`os.environ[\"DB_PASSWORD\"]`), a `.env` file listed in "
    "`.gitignore`, the tool's own credential store (`~/.aws/credentials`, "
    "`huggingface-cli login`, `~/.databrickscfg`) or a secrets manager. Not a credential: the "
    "pragma in the file's comment syntax (`# pragma: allowlist secret`, `<!-- ... -->` in HTML, "
    "`-- ...` in SQL, `# pragma: allowlist nextline secret` above a Dockerfile `RUN` line), or "
    "`gitworthy baseline` for formats without comments; each finding's hint names the way."
)
HARDCODED = Rule(
    id="hardcoded-secret", check=ID,
    summary="A credential (password, token, key, connection string) written into a file.",
    what="Runs detect-secrets' default plugins and filters, plus gitworthy's: a table of "
         "provider token formats (GitHub, GitLab, Slack and Teams webhooks, Vault, OpenAI, "
         "Hugging Face, Databricks, Google, Stripe and more), credential-named assignments in "
         "any syntax, passwords in connection strings and curl command lines, Azure SAS "
         "signatures. High-entropy strings count only next to a credential's name; hashes, "
         "digests, data URIs, paths, ids and placeholders pass. Reads any text file, UTF-16 "
         "and other BOM encodings, gzip-compressed text and workbook cells (.xlsx, .xls, "
         ".ods...). Honours `pragma: allowlist secret` and an existing `.secrets.baseline`.",
    why=_WHY,
    example='Bad:  engine = create_engine("postgresql://analyst:<password>@warehouse/sales")\n'
            'Good: engine = create_engine(f"postgresql://analyst:{os.environ[\'PGPASSWORD\']}'
            '@warehouse/sales")',
    fix=_FIX,
)
IN_NOTEBOOK = Rule(
    id="secret-in-notebook", check=ID,
    summary="A credential in a notebook cell's code or in its stored output.",
    what="Scans every cell of a Jupyter notebook (nbformat 3 or 4): its source, every stored "
         "output of any MIME type (stream text, results, vendor JSON, tracebacks) and its "
         "metadata, and the notebook's metadata (papermill parameters), with the same plugins "
         "as `hardcoded-secret`; reports the cell (numbered from 0, as nbformat counts) and "
         "the output, not the line of the .ipynb JSON.",
    why=_WHY + " A notebook also keeps what it printed: `print(os.environ)` or a connection "
               "error stores the token in the output even when the code reads it safely.",
    example="Bad:  a cell `token = \"hf_...\"`, or an output showing `os.environ`\n"
            "Good: `token = os.environ[\"HF_TOKEN\"]`, outputs cleared before committing",
    fix="Rotate the credential, move it out of the cell (see `hardcoded-secret`), and clear "
        "stored outputs: `jupyter nbconvert --clear-output --inplace NOTEBOOK.ipynb`, or "
        "`nbstripout --install` once so outputs never reach git.",
)
RULES = (HARDCODED, IN_NOTEBOOK)

# When several plugins find the same value on one line, the most specific names it.
RANK = {"Connection String Password": 0, "Basic Auth Credentials": 2, "Curl Credentials": 2,
        "Secret Keyword": 3, "Base64 High Entropy String": 4, "Hex High Entropy String": 4,
        "Credential Assignment": 5}
PLAIN = {
    "Secret Keyword": "a value assigned to a secret-sounding name",
    "Credential Assignment": "a random-looking value assigned to a credential's name",
    "Curl Credentials": "a password or token on a curl command line",
    "Base64 High Entropy String": "a random-looking string",
    "Hex High Entropy String": "a random-looking hex string",
    "Basic Auth Credentials": "a password in a URL",
    "Connection String Password": "a password in a connection string",  # pragma: allowlist secret
}
HINTS = {
    "AWS Access Key": "deactivate the key in IAM, then let boto3 find credentials itself "
                      "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY env vars, ~/.aws/credentials "
                      "or an instance role)",
    # pragma: allowlist nextline secret
    "Connection String Password": "change the password, then build the URL from the "
                                  "environment (os.environ['DB_PASSWORD']), a .env file kept "
                                  "out of git, or ~/.pgpass",
    "Basic Auth Credentials": "change the password, then build the URL from the environment "
                              "(os.environ['DB_PASSWORD']) or a .env file kept out of git",
    "Azure Storage Account access key": "rotate the account key, then read the connection "
                                        "string from AZURE_STORAGE_CONNECTION_STRING or use a "
                                        "managed identity / Key Vault",
    "Azure SAS Token": "revoke the SAS (rotate the key that signed it), then pass SAS URLs in "
                       "through the environment, not the code",
    "Private Key": "delete the key (for a GCP service account: in IAM > Service accounts), "
                   "keep key files outside the repository and point "
                   "GOOGLE_APPLICATION_CREDENTIALS at them",
    "Databricks Token": "revoke the token in Databricks (User Settings > Access tokens), then "
                        "use DATABRICKS_TOKEN, ~/.databrickscfg or a secret scope",
    "Hugging Face Token": "revoke the token at huggingface.co/settings/tokens, then use "
                          "`huggingface-cli login` or the HF_TOKEN environment variable",
    "Google API Key": "delete or restrict the key in the Google Cloud console, then read it "
                      "from the environment",
    "Credential Assignment": "rotate it with the service that issued it, then read it from an "
                             "environment variable or a secrets manager",
    "Curl Credentials": "change the password or revoke the token, then pass it from the "
                        "environment (`curl -u \"$USER:$PASSWORD\"`, `--netrc`)",
}
DEFAULT_HINT = "rotate it, then read it from an environment variable or a secrets manager"
# How to mark a value that is not a credential, in the comment syntax of each kind of file.
_PRAGMA = "pragma: allowlist secret"
ALLOW_BY_SUFFIX = {
    **dict.fromkeys((".html", ".htm", ".xml", ".svg", ".md", ".vue", ".xhtml", ".config"),
                    f"add `<!-- {_PRAGMA} -->` at the end of the line"),
    **dict.fromkeys((".sql", ".lua", ".hs"), f"add `-- {_PRAGMA}` at the end of the line"),
    **dict.fromkeys((".js", ".ts", ".jsx", ".tsx", ".go", ".java", ".kt", ".scala", ".c", ".h",
                     ".cpp", ".cs", ".rs", ".swift", ".php", ".groovy", ".gradle"),
                    f"add `// {_PRAGMA}` at the end of the line"),
    **dict.fromkeys((".json", ".csv", ".tsv", ".jsonl", ".ndjson", ".txt", ".log", ".pem",
                     ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".gz"), ""),
}
BASELINE_HINT = ("accept it in the baseline: `gitworthy baseline` (or `detect-secrets scan "
                 "--baseline .secrets.baseline`)")


def allow_hint(path: str, notebook_part: str = "") -> str:
    """The way to mark a known non-secret that works in this file (its comment syntax, or
    the baseline where the format has no comments)."""
    name = path.rsplit("/", 1)[-1]
    if notebook_part:
        way = f"add `# {_PRAGMA}` to the cell's line" if notebook_part == "source" else ""
    elif name.startswith("Dockerfile") or name.endswith((".dockerfile", ".Dockerfile")):
        way = (f"put `# {_PRAGMA.replace('allowlist', 'allowlist nextline')}` on its own line "
               "right above it (a comment at the end of a `RUN ... \\` line would swallow the "
               "backslash)")
    else:
        suffix = name[name.rfind("."):].lower() if "." in name else ""
        way = ALLOW_BY_SUFFIX.get(suffix, f"add `# {_PRAGMA}` at the end of the line")
    return f"not a credential? {way + ', or ' if way else ''}{BASELINE_HINT}"


def hint(secret_type: str, path: str, notebook_part: str = "") -> str:
    """What to do: revoke and rotate (the provider's own page where known), then how to mark a
    value that is not a credential in this kind of file."""
    text = HINTS.get(secret_type)
    if text is None:
        from gitworthy.secrets.formats import HINTS as FORMAT_HINTS

        text = FORMAT_HINTS.get(secret_type)
        text = f"{text}, then read it from the environment" if text else DEFAULT_HINT
    return f"{text}; {allow_hint(path, notebook_part)}"

# --------------------------------------------------------------------------- the check


def _best(hits: list[Hit]) -> list[Hit]:
    """One hit per secret and line: when plugins find the same value (or one inside the other,
    as a high-entropy match that took a trailing backslash), the most specific names it."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.line, RANK.get(h.type, 1), h.type)):
        if not any(k.line == hit.line and (k.value in hit.value or hit.value in k.value)
                   for k in kept):
            kept.append(hit)
    return kept


def _accepted(hits: list[Hit], lines: dict[int, str], path: str, context: Context,
              name: str) -> list[Hit]:
    """The hits a detect-secrets baseline does not accept (its module loads with a hit)."""
    if not hits:
        return hits
    from gitworthy.secrets.baseline import accepted

    return accepted(hits, lines, path, context, name)


def _describe(secret_type: str) -> str:
    plain = PLAIN.get(secret_type)
    return f"{plain} ({secret_type})" if plain else secret_type


def _pragma_allows(line: str) -> bool:
    """`gitworthy: allow` on a notebook cell's line (the engine reads .ipynb JSON lines)."""
    match = PRAGMA.search(line.encode("utf-8", "replace"))
    if not match:
        return False
    names = [n for n in re.split(r"[,\s]+", (match.group(1) or b"").decode()) if n]
    return not names or ID in names or IN_NOTEBOOK.id in names


def reuse_key(file: File, options: dict[str, Any], context: Context) -> Hashable:
    """The same bytes get the same verdict under any path with the same file name, unless a
    detect-secrets baseline accepts secrets path by path. detect-secrets' file filters read
    the file name (lock files) and `swagger` anywhere in the path: such a path keeps a key of
    its own (no scanner is built to tell, so that files without a candidate line never load
    detect-secrets)."""
    name = options["secrets-baseline"]
    if name and context.policy_file(name) is not None:
        return None
    return file.name, file.path if "swagger" in file.path.lower() else ""


def check(file: File, options: dict[str, Any], context: Context) -> Iterator[Finding]:
    """Potential secrets in one text file or notebook."""
    baseline_name = Path(options["secrets-baseline"] or ".secrets.baseline").name
    if file.is_symlink or file.name in (".secrets.baseline", baseline_name) or file.size == 0:
        return
    limit = int(options["max-kb"]) * 1024
    if file.size > limit:
        raise InspectionError(f"{file.size // 1024} KB, over check-secrets' max-kb "
                              f"({options['max-kb']} KB): not scanned for secrets (raise "
                              "--max-kb, or keep data out of git)")
    head = file.head(8192)
    how = reading.kind(head, file.suffix)
    if how == "binary" or is_baseline(head):
        return  # not text (serialized models have their own check)
    scan = scanner(options["disable-plugins"])  # it applies detect-secrets' file filters
    if file.suffix == ".ipynb" and how == "text":
        yield from _check_notebook(file, scan, options, context)
        return
    if how == "text":
        hits, texts = _scan_file(file, scan, limit, options.get("prefilter", True))
    else:
        hits, texts = _scan_other(file, how, scan, limit)
    hits = _accepted(_best(hits), texts, file.path, context, options["secrets-baseline"])
    for hit in hits:
        yield HARDCODED.finding(
            file.path, f"{_describe(hit.type)}: {mask(hit.value)}",
            hint(hit.type, file.path), line=hit.line, key=f"{hit.type}:{hit.hashed}",
            details={"secret_type": hit.type, "masked": mask(hit.value)},
        )


def _scan_file(file: File, scan: Scanner, limit: int, prefilter: bool = True
               ) -> tuple[list[Hit], dict[int, str]]:
    """The hits of a text file and the text of their lines: streamed block by block when no
    transformer can parse the file (data files, code), else read whole (configs, YAML); a
    small file is read whole first, and needs no more when no line could hold a secret.
    `prefilter=False` runs every line through the plugins (the tests compare both)."""
    text = read_text(file, limit) if file.size <= reading.BLOCK else None
    if text is not None and prefilter and scan.nothing_to_find(text, file.path):
        return [], {}  # no line a plugin could report on: detect-secrets is not even loaded
    if streams(file.path, file.head(65536).decode("utf-8-sig", "replace")):
        return scan.scan_stream([text] if text is not None else blocks(file), file.path,
                                prefilter)
    text = read_text(file, limit) if text is None else text
    lines = split(text)
    hits = scan.scan_text(text, file.path, prefilter)
    return hits, {h.line: lines[h.line - 1] for h in hits if h.line <= len(lines)}


def _notebook_texts(file: File) -> Iterator[tuple[int | None, str, str]]:
    """Every text of a notebook as (cell index, 0-based like nbformat, or None for the
    notebook's own metadata; where in the cell; text): sources, every output payload of any
    MIME type, and metadata (papermill's parameters, tags, widget state)."""
    import json

    from gitworthy import notebooks

    nb = notebooks.load(file, v3=True)
    if nb.get("metadata"):
        yield None, "metadata", json.dumps(nb["metadata"], indent=1, ensure_ascii=False)
    for cell in notebooks.iter_cells(nb):
        yield cell.index, "source", cell.source
        for output in cell.outputs:
            for mime, text in output.payloads:
                yield cell.index, f"output {output.index} ({mime})", text
        metadata = nb["cells"][cell.index].get("metadata")
        if metadata:
            yield cell.index, "metadata", json.dumps(metadata, indent=1, ensure_ascii=False)


def _scan_other(file: File, how: str, scan: Scanner, limit: int
                ) -> tuple[list[Hit], dict[int, str]]:
    """The hits of a UTF-16/32 text, a gzip-compressed text or a spreadsheet's cells."""
    if how == "spreadsheet":
        lines = reading.sheet_lines(file, limit)
        hits = scan.scan_lines(lines, file.path)
    else:
        text = reading.gunzip_text(file, limit) if how == "gzip" else \
            reading.read_text(file, limit, how)
        if text is None:
            return [], {}
        name = file.path[:-3] if how == "gzip" and file.path.endswith(".gz") else file.path
        lines = split(text)
        hits = scan.scan_text(text, name)
    return hits, {h.line: lines[h.line - 1] for h in hits if h.line <= len(lines)}


def _check_notebook(file: File, scan: Scanner, options: dict[str, Any],
                    context: Context) -> Iterator[Finding]:
    for cell, part, text in _notebook_texts(file):
        lines = split(text)
        hits = [h for h in _best(scan.scan_lines(lines, file.path,
                                                 options.get("prefilter", True)))
                if not _pragma_allows(lines[h.line - 1])]
        texts = {h.line: lines[h.line - 1] for h in hits}
        where = "notebook" if cell is None else f"cell {cell}"
        for hit in _accepted(hits, texts, file.path, context, options["secrets-baseline"]):
            advice = hint(hit.type, file.path, "source" if part == "source" else "other")
            if part.startswith("output"):
                advice += ("; clear the stored output: jupyter nbconvert --clear-output --inplace "
                           f"{file.path}")
            yield IN_NOTEBOOK.finding(
                file.path,
                f"{where} {part}, line {hit.line}: {_describe(hit.type)}: {mask(hit.value)}",
                advice, key=f"{hit.type}:{hit.hashed}",
                details={"cell": cell, "part": part, "cell_line": hit.line,
                         "secret_type": hit.type, "masked": mask(hit.value)},
            )


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(ID, argv)


if __name__ == "__main__":
    raise SystemExit(main())

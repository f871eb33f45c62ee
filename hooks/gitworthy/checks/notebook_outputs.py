"""check-notebook-outputs: Jupyter notebooks whose stored outputs are large (embedded images,
HTML tables, long printed streams), or, in `require-empty` mode, that store any output.

`--fix` strips outputs, execution counts and run metadata like nbstripout (the notebook stays
valid nbformat 4) and exits 1 when it changed a file, as pre-commit fixers do.
"""
from __future__ import annotations

import shlex
from collections.abc import Iterator, Sequence
from pathlib import Path

from gitworthy.filetypes import human_size
from gitworthy.findings import Finding, InspectionError, Rule
from gitworthy.hook import hook_parser, run_hook
from gitworthy.records import Record
from gitworthy.sources import Context, File

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any

ID = "check-notebook-outputs"

_WHY = (
    "Outputs are the run, not the code: a notebook with embedded plots and DataFrame dumps "
    "turns every re-run into a multi-megabyte diff nobody can review, bloats every clone "
    "forever (git keeps each version), and can carry the data it displayed (customer rows, "
    "tokens in tracebacks) to everyone with read access."
)
_FIX = (
    "Strip outputs before committing: `check-notebook-outputs --fix NOTEBOOK` or "
    "`nbstripout NOTEBOOK`; install the filter once per clone with `nbstripout --install`, or "
    "add this hook with `args: [--fix]`. Keep figures you need as files (reports/, Git LFS) "
    "or publish the rendered notebook as a CI artifact."
)

TOO_LARGE = Rule(
    id="notebook-outputs-too-large",
    check=ID,
    summary="A notebook stores more output than the limit (default 500 KB).",
    what="Adds up everything a notebook stores besides its code: outputs, images pasted into "
         "markdown cells (attachments) and widget state in its metadata, and fails when that "
         "exceeds `max-kb` (default 500 KB). One finding per notebook, naming the largest "
         "parts by cell (0-based). Cells marked `keep_output` (nbstripout's metadata or tag) "
         "do not count.",
    why=_WHY,
    example="Bad:  eda.ipynb with 40 embedded PNG plots (6 MB of outputs)\n"
            "Good: eda.ipynb with outputs stripped; plots saved to reports/ or rebuilt in CI",
    fix=_FIX,
)
OUTPUT_TOO_LARGE = Rule(
    id="notebook-output-too-large",
    check=ID,
    summary="A notebook holds an output larger than the per-output limit (default 100 KB).",
    what="Fails when a single stored output, attachment or widget state exceeds "
         "`max-output-kb` (default 100 KB) while the notebook as a whole is under `max-kb`: "
         "an embedded image, a DataFrame rendered as an HTML table, a long printed stream. "
         "One finding per notebook, listing every such part by cell (0-based).",
    why=_WHY,
    example="Bad:  cell 12: display(df) of 5,000 rows stored as a 900 KB HTML table\n"
            "Good: df.head() on synthetic data, or the output stripped",
    fix=_FIX,
)
OUTPUTS_PRESENT = Rule(
    id="notebook-outputs-present",
    check=ID,
    summary="A notebook stores outputs or execution counts (require-empty mode).",
    what="With `require-empty = true`, fails on any stored output or execution count, for "
         "teams that commit notebooks as code only (cells marked `keep_output` excepted).",
    why=_WHY,
    example="Bad:  model.ipynb with execution counts and printed metrics\n"
            "Good: model.ipynb as code and markdown only",
    fix=_FIX,
)
RULES = (TOO_LARGE, OUTPUT_TOO_LARGE, OUTPUTS_PRESENT)

OPTIONS: dict[str, Any] = {
    "max-kb": 500,          # everything but code together: outputs, attachments, widget state
    "max-output-kb": 100,   # one output, attachment or widget state
    "require-empty": False,  # any output or execution count fails
}

KINDS = {
    "image/png": "embedded PNG image", "image/jpeg": "embedded JPEG image",
    "image/svg+xml": "embedded SVG image", "image/gif": "embedded GIF image",
    "application/pdf": "embedded PDF", "text/html": "HTML output",
    "application/javascript": "JavaScript output",
    "application/vnd.jupyter.widget-view+json": "widget state", "application/json": "JSON output",
    "text/plain": "text output", "text/markdown": "markdown output", "text/latex": "LaTeX output",
    "error": "error traceback",
}


class Part(Record):
    """Something a notebook stores besides code: where it is, what it is, its size."""

    def __init__(self, where: str, kind: str, size: int) -> None:
        self.where = where
        self.kind = kind
        self.size = size


def _kind(output: Any) -> str:
    if output.mime.startswith("stream/"):
        return f"{output.mime[7:]} stream"
    if output.mime == "text/html" and output.tables:
        return "HTML table"
    return KINDS.get(output.mime, output.mime)


def reuse_key(file: File, options: dict[str, Any], context: Context) -> str | None:
    """The same bytes get the same verdict under any path with the same suffix (only
    notebooks are judged: no other file needs its content compared)."""
    return file.suffix if file.suffix == ".ipynb" else None


def _size(value: Any) -> int:
    from gitworthy.notebooks import output_size

    return output_size(value)


def weigh(nb: dict[str, Any]) -> tuple[list[Part], int]:
    """Every stored part of a notebook (outputs not kept on purpose, markdown attachments,
    widget state) and the number of execution counts."""
    from gitworthy import notebooks

    metadata = nb.get("metadata")
    default = isinstance(metadata, dict) and bool(metadata.get("keep_output", False))
    parts: list[Part] = []
    counts = 0
    raw_cells = nb["cells"]
    for cell in notebooks.iter_cells(nb):
        raw = raw_cells[cell.index]
        if notebooks.keeps_output(raw, default):
            continue
        counts += raw.get("execution_count") is not None
        for out in cell.outputs:
            parts.append(Part(f"cell {cell.index}, output {out.index}", _kind(out), out.size))
        attachments = raw.get("attachments")
        if isinstance(attachments, dict):
            for name, bundle in attachments.items():
                parts.append(Part(f"cell {cell.index}", f"attachment {name}", _size(bundle)))
    if isinstance(metadata, dict) and metadata.get("widgets"):
        parts.append(Part("notebook metadata", "widget state", _size(metadata["widgets"])))
    return parts, counts


def _listed(parts: list[Part]) -> str:
    shown = "; ".join(f"{p.where}: {p.kind} of {human_size(p.size)}" for p in parts[:5])
    return shown + (f"; and {len(parts) - 5} more" if len(parts) > 5 else "")


def _counted(parts: list[Part]) -> str:
    attachments = sum(p.kind.startswith("attachment") for p in parts)
    widgets = any(p.kind == "widget state" for p in parts)
    words = [f"{len(parts) - attachments - widgets} output(s)"]
    words += [f"{attachments} attachment(s)"] if attachments else []
    words += ["widget state"] if widgets else []
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def check(file: File, options: dict[str, Any], context: Context) -> Iterator[Finding]:
    """One finding per notebook for what it stores besides code (or, in require-empty mode,
    for any output)."""
    if file.suffix != ".ipynb" or file.is_symlink or file.size == 0:
        return
    from gitworthy import filetypes, notebooks

    if filetypes.is_lfs_pointer(file.head(1024)):
        return
    hint = (f"strip the outputs: `check-notebook-outputs --fix {shlex.quote(file.path)}` "
            "(or nbstripout)")
    parts, counted = weigh(notebooks.load(file))
    outputs = [p for p in parts if not p.kind.startswith(("attachment", "widget"))]
    if options["require-empty"] and (outputs or counted):
        yield OUTPUTS_PRESENT.finding(
            file.path, f"notebook stores {len(outputs)} output(s) and {counted} execution "
                       "count(s); this repository requires notebooks without outputs",
            hint, key="outputs-present",
            details={"outputs": len(outputs), "execution_counts": counted})
    total = sum(p.size for p in parts)
    large = sorted((p for p in parts if p.size > options["max-output-kb"] * 1024),
                   key=lambda p: -p.size)
    if any(p.kind.startswith("attachment") for p in large):
        hint += "; save pasted images as files (Git LFS) and link them from the markdown"
    details = {"bytes": total,
               "parts": [{"where": p.where, "kind": p.kind, "size": p.size} for p in large]}
    if total > options["max-kb"] * 1024:
        largest = large or sorted(parts, key=lambda p: -p.size)[:3]
        yield TOO_LARGE.finding(
            file.path, f"notebook stores {human_size(total)} besides its code in "
                       f"{_counted(parts)} (limit {options['max-kb']} KB); largest: "
                       f"{_listed(largest)}", hint, key="outputs", details=details)
    elif large:
        yield OUTPUT_TOO_LARGE.finding(
            file.path, f"{_listed(large)} (limit {options['max-output-kb']} KB per output)",
            hint, key="outputs", details=details)


def fix(path: str | Path, max_kb: int = 0) -> bool:
    """Strip a notebook's outputs in place, like nbstripout (outputs up to `max_kb` stay, and
    so do those of cells marked `keep_output`); True when the file changed.

    Raises InspectionError when the file is not a notebook gitworthy can rewrite."""
    from gitworthy import notebooks
    from gitworthy.sources import DiskFile

    location = Path(path)
    nb = notebooks.load(DiskFile(str(path), location))
    if not notebooks.strip_outputs(nb, max_kb * 1024):
        return False
    text = notebooks.dumps(nb)
    with open(location, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """The hook: `--fix` strips the named notebooks first, then the check runs as usual."""
    parser = hook_parser(ID)
    parser.add_argument("--fix", action="store_true",
                        help="strip outputs and execution counts in place (exit 1 if changed)")
    parser.add_argument("--max-size", type=int, default=0, metavar="KB",
                        help="with --fix: strip only outputs larger than KB")
    args = parser.parse_args(argv)
    if args.max_size < 0:
        parser.error("--max-size must be a whole number >= 0")
    changed = False
    for name in args.filenames if args.fix else ():
        if not name.endswith(".ipynb") or Path(name).is_symlink() or not Path(name).is_file():
            continue
        try:
            if fix(name, args.max_size):
                print(f"{name}: stripped notebook outputs ({ID} --fix)")
                changed = True
        except InspectionError:
            pass  # the check below reports why the notebook cannot be read
    code = run_hook(ID, args=args)
    return max(code, 1) if changed else code


if __name__ == "__main__":
    raise SystemExit(main())

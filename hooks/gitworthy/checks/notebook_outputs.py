"""check-notebook-outputs: Jupyter notebooks whose stored outputs are large (embedded images,
HTML tables, long printed streams), or, in `require-empty` mode, that store any output.

`--fix` strips outputs, execution counts and run metadata like nbstripout (the notebook stays
valid nbformat 4) and exits 1 when it changed a file, as pre-commit fixers do.
"""
from __future__ import annotations

import shlex
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from gitworthy.filetypes import human_size
from gitworthy.findings import Finding, InspectionError, Rule
from gitworthy.hook import hook_parser, run_hook
from gitworthy.sources import Context, File

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
    what="Adds up the stored outputs of a notebook and fails when they exceed `max-kb` "
         "(default 500 KB), naming the largest cells and what they hold.",
    why=_WHY,
    example="Bad:  eda.ipynb with 40 embedded PNG plots (6 MB of outputs)\n"
            "Good: eda.ipynb with outputs stripped; plots saved to reports/ or rebuilt in CI",
    fix=_FIX,
)
OUTPUT_TOO_LARGE = Rule(
    id="notebook-output-too-large",
    check=ID,
    summary="One notebook output is larger than the limit (default 100 KB).",
    what="Fails when a single stored output exceeds `max-output-kb` (default 100 KB): an "
         "embedded image, a DataFrame rendered as an HTML table, a long printed stream.",
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
         "teams that commit notebooks as code only.",
    why=_WHY,
    example="Bad:  model.ipynb with execution counts and printed metrics\n"
            "Good: model.ipynb as code and markdown only",
    fix=_FIX,
)
RULES = (TOO_LARGE, OUTPUT_TOO_LARGE, OUTPUTS_PRESENT)

OPTIONS: dict[str, Any] = {
    "max-kb": 500,          # all outputs of a notebook together
    "max-output-kb": 100,   # one output
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


def _kind(output: Any) -> str:
    if output.mime.startswith("stream/"):
        return f"{output.mime[7:]} stream"
    if output.mime == "text/html" and output.tables:
        return "HTML table"
    return KINDS.get(output.mime, output.mime)


def _output_key(source: str, out: Any, taken: set[str]) -> str:
    """A fingerprint key from what an output is (its cell's code and its content), not where
    it is: a baselined output stays baselined when cells are added or moved above it."""
    import hashlib

    content = f"{source}\0{out.index}\0{out.mime}\0{out.size}\0{out.text}"
    key = "output " + hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    unique, n = key, 1
    while unique in taken:  # the same output twice in a notebook: two findings
        n += 1
        unique = f"{key}#{n}"
    taken.add(unique)
    return unique


def check(file: File, options: dict[str, Any], context: Context) -> Iterator[Finding]:
    """Large (or, in require-empty mode, any) stored outputs in one notebook."""
    if file.suffix != ".ipynb" or file.is_symlink or file.size == 0:
        return
    from gitworthy import filetypes, notebooks

    if filetypes.is_lfs_pointer(file.head(1024)):
        return
    hint = (f"strip the outputs: check-notebook-outputs --fix {shlex.quote(file.path)} "
            "(or nbstripout)")
    nb = notebooks.load(file)
    cells = list(notebooks.iter_cells(nb))
    outputs = [(cell.index, out) for cell in cells for out in cell.outputs]
    if options["require-empty"]:
        counted = sum(1 for c in nb["cells"] if isinstance(c, dict)
                      and c.get("execution_count") is not None)
        if outputs or counted:
            yield OUTPUTS_PRESENT.finding(
                file.path, f"notebook stores {len(outputs)} output(s) and {counted} execution "
                           "count(s); this repository requires notebooks without outputs",
                hint, key="outputs-present",
                details={"outputs": len(outputs), "execution_counts": counted})
    per_output = options["max-output-kb"] * 1024
    sources = {cell.index: cell.source for cell in cells}
    keys: set[str] = set()
    for index, out in outputs:
        if out.size > per_output:
            yield OUTPUT_TOO_LARGE.finding(
                file.path, f"cell {index}, output {out.index}: {_kind(out)} of "
                           f"{human_size(out.size)} "
                           f"(limit {options['max-output-kb']} KB per output)",
                hint, key=_output_key(sources[index], out, keys),
                details={"cell": index, "output": out.index, "kind": _kind(out),
                         "bytes": out.size})
    total = sum(out.size for _, out in outputs)
    if total > options["max-kb"] * 1024:
        largest = sorted(outputs, key=lambda item: -item[1].size)[:3]
        named = ", ".join(f"cell {i} ({_kind(o)}, {human_size(o.size)})" for i, o in largest)
        yield TOO_LARGE.finding(
            file.path, f"notebook stores {human_size(total)} of outputs in {len(outputs)} "
                       f"output(s) (limit {options['max-kb']} KB); largest: {named}",
            hint, key="total", details={"bytes": total, "outputs": len(outputs)})


def fix(path: str | Path) -> bool:
    """Strip a notebook's outputs in place, like nbstripout; True when the file changed.

    Raises InspectionError when the file is not a notebook gitworthy can rewrite."""
    from gitworthy import notebooks
    from gitworthy.sources import DiskFile

    location = Path(path)
    nb = notebooks.load(DiskFile(str(path), location))
    if not notebooks.strip_outputs(nb):
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
    args = parser.parse_args(argv)
    changed = False
    for name in args.filenames if args.fix else ():
        if not name.endswith(".ipynb") or Path(name).is_symlink() or not Path(name).is_file():
            continue
        try:
            if fix(name):
                print(f"{name}: stripped notebook outputs ({ID} --fix)")
                changed = True
        except InspectionError:
            pass  # the check below reports why the notebook cannot be read
    code = run_hook(ID, args=args)
    return max(code, 1) if changed else code


if __name__ == "__main__":
    raise SystemExit(main())

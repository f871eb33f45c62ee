"""Markdown: what the pull-request comment and the job summary show.

Everything that comes from the scanned repository (paths, messages, hints) is escaped, so a
file named `<img src=x onerror=...>`, or one with `|`, backticks or `<!--` in its name, shows
as text and cannot break the table or inject HTML into the comment.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from gitworthy.engine import Report
from gitworthy.findings import Finding, Rule

COMMENT_LIMIT = 65_536  # GitHub's limit for an issue comment body
COLLAPSE_AFTER = 15     # findings beyond this go into a collapsed section
_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).encode("utf-8", "replace").decode("utf-8"))


def escape(text: str) -> str:
    """Untrusted text made inert in GitHub Markdown, on one line.

    HTML-escapes `& < > "`, backslash-escapes Markdown punctuation (so `|` cannot end a table
    cell and backticks cannot open code), and breaks `@mentions` so nobody is pinged.
    """
    text = _one_line(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace('"', "&quot;")
    text = _PUNCT.sub(r"\\\1", text)
    return text.replace("@", "@\u200b")


def code(text: str, table: bool = True) -> str:
    """Untrusted text as a code span, shown literally: the fence is longer than any run of
    backticks inside, and in a table `|` is escaped (GFM splits cells before code spans)."""
    text = _one_line(text)
    if table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def inline(text: str, table: bool = True) -> str:
    """Like `escape`, but text between backticks (the commands in hints) becomes code spans."""
    parts = _one_line(text).split("`")
    if len(parts) % 2 == 0:
        return escape(text)
    return "".join(code(p, table) if i % 2 else escape(p) for i, p in enumerate(parts))


def html(text: str) -> str:
    """Text inside raw HTML (a `<summary>`), where Markdown is not parsed: escaped, and
    backtick spans as `<code>` elements."""
    text = _one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    parts = text.replace('"', "&quot;").replace("@", "@\u200b").split("`")
    if len(parts) % 2 == 0:
        return "`".join(parts)
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def line_url(repo_url: str, sha: str, path: str, line: int | None) -> str:
    """The file (and line) at the given commit on GitHub, or '' without a repository URL."""
    if not (repo_url and sha):
        return ""
    url = f"{repo_url.rstrip('/')}/blob/{quote(sha, safe='')}/{quote(path, safe='/')}"
    return url + (f"#L{line}" if line else "")


def known_rules() -> dict[str, Rule]:
    """Every rule of every check that is installed (a check that fails to import is skipped)."""
    from gitworthy.checks import CHECKS, load

    rules: dict[str, Rule] = {}
    for check_id in CHECKS:
        try:
            module = load(check_id)
        except ImportError:
            continue
        rules.update({rule.id: rule for rule in getattr(module, "RULES", ())})
    return rules


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _headline(report: Report, fail_on: str) -> str:
    blocking = len(report.blocking(fail_on))
    unreadable = len(report.errors)
    if report.incomplete:
        return "### :x: gitworthy was interrupted: the report is incomplete"
    if report.internal_error:
        return "### :x: gitworthy could not finish the scan"
    if blocking or (unreadable and fail_on != "never"):
        parts = [p for p in (blocking and _plural(blocking, "finding"),
                             unreadable and _plural(unreadable, "file") + " not inspected") if p]
        verb = "blocks" if blocking + unreadable == 1 else "block"
        return f"### :x: gitworthy: {' and '.join(parts)} {verb} this change"
    if report.findings or unreadable:
        return (f"### :warning: gitworthy: {_plural(len(report.findings), 'finding')}, "
                "none blocking")
    return "### :white_check_mark: gitworthy: all clear"


def _facts(report: Report, sha: str, scope: str) -> str:
    facts = [f"{_plural(report.files, 'file')} scanned"]
    if sha:
        facts[0] += f" at {escape(sha[:12])}"
    if scope:
        facts[0] += f" ({escape(scope)})"
    if report.baselined:
        facts.append(f"{report.baselined} accepted by the baseline")
    if report.allowed:
        facts.append(f"{report.allowed} allowed by pragma")
    return "; ".join(facts) + "."


def _row(f: Finding, repo_url: str, sha: str) -> str:
    where = code(f.path + (f":{f.line}" if f.line else ""))
    url = line_url(repo_url, str(f.details.get("commit") or sha), f.path, f.line)
    file_cell = f"[{where}]({url})" if url else where
    severity = {"critical": ":rotating_light:", "error": ":x:"}.get(f.severity.value,
                                                                    ":warning:")
    return (f"| {severity} {file_cell} | {escape(f.check)}<br>{escape(f.rule)} | "
            f"{inline(f.message)} | {inline(f.hint)} |")


def _sort_key(f: Finding, blocking: set[str]) -> tuple[bool, int, str, int, str]:
    return (f.fingerprint not in blocking, -f.severity.rank, f.path, f.line or 0, f.rule)


def _rule_doc(rule: Rule) -> str:
    why = " ".join(rule.why.split())
    fix = " ".join(rule.fix.split())
    return (f"<details><summary><b>{html(rule.id)}</b>: {html(rule.summary)}</summary>\n\n"
            f"**Why is this bad?** {inline(why, False)}\n\n"
            f"**How to fix:** {inline(fix, False)}\n\n"
            f"Full text: `gitworthy explain {rule.id}`\n\n</details>")


def render(report: Report, fail_on: str = "error", *, repo_url: str = "", sha: str = "",
           marker: str = "", summary_url: str = "", max_chars: int | None = None,
           collapse_after: int | None = COLLAPSE_AFTER,
           rules: Mapping[str, Rule] | None = None, scope: str = "",
           sections: Sequence[str] = ()) -> str:
    """The report as GitHub Markdown.

    `repo_url` and `sha` turn paths into links to the lines at that commit; `marker` (a hidden
    HTML comment) goes first so the action can find its own comment again; `max_chars` bounds
    the UTF-8 size (rows that do not fit are counted and point to `summary_url`);
    `collapse_after` puts the rest of a long table into a collapsed section (None: never);
    `scope` says what was scanned ("the files pull request #3 changes"); `sections` are
    Markdown blocks (already escaped) shown before the findings, such as the policy changes.
    """
    blocking = {f.fingerprint for f in report.blocking(fail_on)}
    findings = sorted(report.findings, key=lambda f: _sort_key(f, blocking))
    head = [marker] if marker else []
    head += [_headline(report, fail_on), "", _facts(report, sha, scope), ""]
    for section in sections:
        head += [section.rstrip("\n"), ""]
    if not findings and not report.errors:
        head.append("Nothing here belongs outside git: no data sets, models, PII, secrets or "
                    "ad-hoc copies in the scanned files.")
        return "\n".join(head) + "\n"

    rows = [_row(f, repo_url, sha) for f in findings]
    errors = [f"- {code(e.path, False)}: {inline(e.message, False)}" for e in report.errors]
    if rules is None:
        rules = known_rules()
    docs = [_rule_doc(rules[r]) for r in dict.fromkeys(f.rule for f in findings) if r in rules]
    return _assemble(head, rows, errors, docs, max_chars, collapse_after, summary_url)


def _assemble(head: list[str], rows: Sequence[str], errors: Sequence[str],
              docs: Sequence[str], max_chars: int | None, collapse_after: int | None,
              summary_url: str) -> str:
    """Put the parts together, dropping what does not fit `max_chars` (counted, not lost
    silently: the note says how many and where the full report is)."""
    budget = (max_chars or 10**12) - 600  # room for the closing tags and the note
    table_head = ["| File | Check | What | How to fix |", "|---|---|---|---|"]
    out = list(head)
    size = _size(out) + _size(table_head)
    shown: list[str] = []
    for row in rows:
        if size + _size([row]) > budget:
            break
        shown.append(row)
        size += _size([row])
    cut = collapse_after if collapse_after is not None and len(shown) > collapse_after + 5 \
        else len(shown)
    if shown:
        out += table_head + shown[:cut]
    if shown[cut:]:
        out += ["", f"<details><summary>{_plural(len(shown) - cut, 'more finding')}</summary>",
                "", *table_head, *shown[cut:], "", "</details>"]
    omitted = len(rows) - len(shown)
    kept_errors: list[str] = []
    if errors:
        size = _size(out)
        for line in errors:
            if size + _size([line]) > budget:
                break
            kept_errors.append(line)
            size += _size([line])
        out += ["", "**Could not inspect** (fix or exclude these files):", "", *kept_errors]
    omitted_errors = len(errors) - len(kept_errors)
    docs_out: list[str] = []
    size = _size(out)
    for doc in docs:
        if size + _size([doc]) > budget:
            break
        docs_out.append(doc)
        size += _size([doc])
    if docs_out:
        out += ["", "**Rules**", "", *docs_out]
    if omitted or omitted_errors:
        where = f"the [job summary]({summary_url})" if summary_url else "the job summary"
        parts = [p for p in (omitted and _plural(omitted, "finding"),
                             omitted_errors and _plural(omitted_errors, "unreadable file")) if p]
        note = (f"> [!NOTE]\n> {' and '.join(parts)} not shown here to stay within "
                f"GitHub's size limit: see {where} for the full report.")
        out += ["", note]
    return "\n".join(out) + "\n"


def _size(lines: Sequence[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)

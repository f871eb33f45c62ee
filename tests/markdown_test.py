"""The Markdown report (PR comment and job summary) and the workflow-command annotations."""
from __future__ import annotations

import re

import cmarkgfm
from cmarkgfm.cmark import Options
from gitworthy.engine import Report
from gitworthy.findings import Finding, ScanError, Severity
from gitworthy.report import github, markdown

REPO_URL = "https://github.com/octo/data-repo"
SHA = "0123456789abcdef0123456789abcdef01234567"
EVIL = "<img src=x onerror=alert(1)>|`rm -rf`<!-- @octocat.csv"


def finding(path: str = "data/members.csv", line: int | None = 12, rule: str = "large-file",
            check: str = "check-large-files", severity: Severity = Severity.ERROR,
            message: str = "CSV data of 2.1 MB (limit 500 KB)", key: str = "") -> Finding:
    return Finding(check, rule, path, message, "track it with Git LFS: `git lfs track '*.csv'`",
                   severity, line, key=key)


def cells(row: str) -> list[str]:
    """A GFM table row's cells: split on pipes that are not backslash-escaped."""
    return re.split(r"(?<!\\)\|", row.strip().strip("|"))


def to_html(text: str) -> str:
    """GitHub's own Markdown library (cmark-gfm), raw HTML let through: what the comment
    would be before GitHub's sanitizer, so an injection would show here."""
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def html_rows(text: str) -> list[list[str]]:
    body = to_html(text).split("<tbody>", 1)[1]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in body.split("<tr>")[1:]]


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ") and "---" not in line
            and not line.startswith("| File ")]


def test_no_findings_is_an_all_clear() -> None:
    text = markdown.render(Report(files=4), sha=SHA)
    assert "all clear" in text and "4 files scanned at 0123456789ab" in text
    assert "|" not in text


def test_blocking_finding_makes_a_red_headline() -> None:
    text = markdown.render(Report(findings=[finding()], files=1))
    assert text.splitlines()[0] == "### :x: gitworthy: 1 finding blocks this change"


def test_warnings_below_fail_on_are_not_called_blocking() -> None:
    report = Report(findings=[finding(severity=Severity.WARNING)], files=1)
    assert ":warning: gitworthy: 1 finding, none blocking" in markdown.render(report, "error")


def test_table_has_file_check_what_and_fix() -> None:
    text = markdown.render(Report(findings=[finding()], files=1), rules={})
    [row] = table_rows(text)
    assert len(cells(row)) == 4
    assert "Git LFS" in cells(row)[3]


def test_paths_link_to_the_line_at_the_head_sha() -> None:
    text = markdown.render(Report(findings=[finding(path="data/my file(1).csv")]),
                           repo_url=REPO_URL, sha=SHA, rules={})
    assert f"({REPO_URL}/blob/{SHA}/data/my%20file%281%29.csv#L12)" in text


def test_hostile_filename_cannot_inject_html_or_break_the_table() -> None:
    text = markdown.render(Report(findings=[finding(path=EVIL, message=f"about {EVIL}")]),
                           repo_url=REPO_URL, sha=SHA, marker="<!-- gitworthy:pr-comment -->",
                           rules={})
    rendered = to_html(text)
    assert "<img" not in rendered
    assert rendered.count("<!--") == 1  # only the marker
    [cells_] = html_rows(text)
    assert len(cells_) == 4
    assert "<code>&lt;img src=x onerror=alert(1)&gt;|`rm -rf`&lt;!-- @octocat.csv:12</code>" \
        in cells_[0]


def test_hostile_filename_in_the_hint_stays_inside_its_cell() -> None:
    hint = f"run `git rm '{EVIL}'` then commit"
    text = markdown.render(Report(findings=[Finding("check-x", "rule-x", EVIL, EVIL, hint)]),
                           rules={})
    [cells_] = html_rows(text)
    assert len(cells_) == 4 and "<img" not in to_html(text)


def test_python_dunder_paths_are_not_turned_into_bold() -> None:
    text = markdown.render(Report(findings=[finding(path="src/__init__.py", line=None)]),
                           rules={})
    assert "<code>src/__init__.py</code>" in to_html(text)


def test_newlines_in_a_message_stay_in_one_row() -> None:
    text = markdown.render(Report(findings=[finding(message="line one\n| x | y |\nline two")]),
                           rules={})
    [row] = table_rows(text)
    assert len(cells(row)) == 4


def test_rule_documentation_comes_from_the_rule() -> None:
    from gitworthy.checks import all_rules

    rule = all_rules()["versioned-filename"]
    text = markdown.render(Report(findings=[finding(rule=rule.id,
                                                    check="check-adhoc-filenames")]))
    assert f"<b>{rule.id}</b>" in text
    assert markdown.inline(rule.why, table=False) in text
    assert "gitworthy explain versioned-filename" in text


def test_many_findings_collapse_the_rest() -> None:
    findings = [finding(path=f"data/part-{i:03}.csv", key=str(i)) for i in range(40)]
    text = markdown.render(Report(findings=findings), rules={})
    visible, _, hidden = text.partition("<details><summary>25 more findings</summary>")
    assert len(table_rows(visible)) == 15
    assert len(table_rows(hidden)) == 25


def test_comment_stays_under_githubs_limit_and_points_to_the_summary() -> None:
    findings = [finding(path=f"data/{'x' * 200}-{i}.csv", key=str(i)) for i in range(2000)]
    text = markdown.render(Report(findings=findings), repo_url=REPO_URL, sha=SHA,
                           max_chars=markdown.COMMENT_LIMIT, summary_url=f"{REPO_URL}/actions/1")
    assert len(text.encode("utf-8")) < markdown.COMMENT_LIMIT
    shown = len(table_rows(text))
    assert 0 < shown < 2000
    assert f"{2000 - shown} findings not shown" in text
    assert f"[job summary]({REPO_URL}/actions/1)" in text


def test_blocking_findings_come_first() -> None:
    report = Report(findings=[finding(path="a.csv", severity=Severity.WARNING, key="w"),
                              finding(path="z.csv", key="e")])
    rows = table_rows(markdown.render(report, rules={}))
    assert "`z.csv:12`" in rows[0]


def test_unreadable_files_are_listed() -> None:
    report = Report(errors=[ScanError("data/broken.parquet", "truncated Parquet footer")])
    text = markdown.render(report)
    assert "Could not inspect" in text and "truncated Parquet footer" in text
    assert ":x:" in text.splitlines()[0]


# -- annotations ------------------------------------------------------------------------

def test_annotation_names_file_line_and_rule() -> None:
    out = github.render(Report(findings=[finding()]))
    assert out.startswith("::error file=data/members.csv,line=12,"
                          "title=check-large-files%3A large-file::CSV data")
    assert "%0Ahint: track it with Git LFS" in out


def test_annotations_stop_at_githubs_limit_and_count_the_rest() -> None:
    findings = [finding(path=f"e{i}.csv", key=str(i)) for i in range(14)]
    findings += [finding(path=f"w{i}.csv", key=f"w{i}", severity=Severity.WARNING)
                 for i in range(12)]
    lines = github.render(Report(findings=findings)).splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 10
    assert lines[-1].startswith("::notice ") and "6 more gitworthy annotations" in lines[-1]


def test_annotation_escapes_newlines_and_separators_in_paths() -> None:
    out = github.render(Report(findings=[finding(path="a,b:c\n::add-mask::x.csv")]))
    assert out.count("\n") == 1
    assert "file=a%2Cb%3Ac%0A%3A%3Aadd-mask%3A%3Ax.csv," in out


def test_non_blocking_findings_are_warnings() -> None:
    out = github.render(Report(findings=[finding()]), fail_on="never")
    assert out.startswith("::warning ")


def test_commands_in_hints_show_as_code() -> None:
    text = markdown.render(Report(findings=[finding()]), rules={})
    assert "<code>git lfs track '*.csv'</code>" in to_html(text)


def test_unbalanced_backtick_stays_plain_text() -> None:
    assert "<code>" not in to_html(markdown.inline("a `b"))


def test_rule_summary_renders_without_stray_escapes() -> None:
    from gitworthy.checks import all_rules

    rule = all_rules()["versioned-filename"]
    text = markdown.render(Report(findings=[finding(rule=rule.id,
                                                    check="check-adhoc-filenames")]))
    summary = re.search(r"<summary>(.*?)</summary>", to_html(text)).group(1)
    assert "\\" not in summary and "<code>_v2</code>" in summary

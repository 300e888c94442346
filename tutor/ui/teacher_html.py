"""The teacher view's HTML pieces: plain functions from the service's results to markup.

Everything a person typed (student names, class names, chat text) goes through `html.escape`
and is shown as plain text: a student's `<form>` or remote image in the transcript is text
to the teacher, never markup. Downloads are `data:` links built here, so no file with a
class's PINs or a student's data is ever written to disk (nothing to clean up, nothing for
another account to fetch by URL).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

import pandas as pd

from tutor.classroom import (
    AssignmentView,
    ClassReport,
    Download,
    NewLogin,
    Transcript,
    mastery_band,
)

BAND_MARK = {"mastered": "✔", "getting there": "◐", "needs practice": "✖"}
BAND_HUE = {"mastered": 130, "getting there": 45, "needs practice": 0}


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def scroll_box(inner: str, label: str) -> str:
    """A horizontally scrollable region (phones): keyboard-focusable, with a name."""
    return (
        f'<div class="tutor-scroll" role="region" tabindex="0" aria-label="{escape(label)}">'
        f"{inner}</div>"
    )


def download_link(download: Download, label: str) -> str:
    """A link that downloads `download` from the page itself (a data: URL, no server file)."""
    payload = base64.b64encode(download.text.encode("utf-8")).decode("ascii")
    href = f"data:{download.media_type};charset=utf-8;base64,{payload}"
    return (
        f'<a class="tutor-download" download="{escape(download.name)}" href="{href}">'
        f"{escape(label)} ({escape(download.name)})</a>"
    )


def logins_table(logins: Sequence[NewLogin]) -> str:
    """The PIN list: name, PIN, then login (the longest column last, wrapping)."""
    if not logins:
        return ""
    rows = "".join(
        f"<tr><td>{escape(n.name)}</td><td class='pin'>{escape(n.pin)}</td>"
        f"<td class='login'>{escape(n.login)}</td></tr>"
        for n in logins
    )
    table = (
        '<table class="tutor-table" id="new-logins-table"><caption>New logins: shown once'
        "</caption><thead><tr><th scope='col'>Name</th><th scope='col'>PIN</th>"
        f"<th scope='col'>Login</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    return scroll_box(table, "New logins and PINs")


def heatmap(report: ClassReport) -> str:
    """The class x skill grid: every student a row (blank when not started), each cell its
    percentage, a mark and a band word (colour is never the only cue)."""
    grid = report.grid
    if grid.empty and not len(grid.index):
        return "<p>No students in this class yet: add them on the Students tab.</p>"
    head = "".join(f"<th scope='col'>{escape(c)}</th>" for c in grid.columns)
    head = head or "<th scope='col'>Skills</th>"
    rows = []
    for student, values in grid.iterrows():
        cells = []
        if values.isna().all():
            span = max(1, len(grid.columns))
            cells.append(f"<td colspan='{span}' class='not-started'>not started yet</td>")
        for value in values if not values.isna().all() else []:
            if pd.isna(value):
                cells.append("<td class='none'>–</td>")
                continue
            band = mastery_band(float(value))
            cells.append(
                f"<td style='background:hsl({BAND_HUE[band]},75%,88%)' "
                f"title='{band}'>{BAND_MARK[band]} {float(value):.0%}"
                f"<span class='band'> {band}</span></td>"
            )
        rows.append(f"<tr><th scope='row'>{escape(student)}</th>{''.join(cells)}</tr>")
    legend = (
        "<p class='legend'>✔ mastered (95% or more) · ◐ getting there (60–94%) · "
        "✖ needs practice (under 60%) · – not practised</p>"
    )
    table = (
        '<table class="tutor-table mastery-heatmap" id="mastery-heatmap">'
        "<caption>Mastery per student and skill</caption>"
        f"<thead><tr><th scope='col'>Student</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return scroll_box(table, "Class mastery heatmap") + legend


def struggling(report: ClassReport) -> str:
    if not report.struggling:
        return "<h4>Struggling students</h4><p>None right now.</p>"
    items = "".join(
        f"<li><strong>{escape(s.student)}</strong>: {escape('; '.join(s.reasons))}</li>"
        for s in report.struggling
    )
    return f"<h4>Struggling students</h4><ul>{items}</ul>"


def frame_table(frame: pd.DataFrame, caption: str, empty: str, table_id: str) -> str:
    """Any small frame as an escaped, scrollable table (its caption for screen readers: the
    view shows a heading above it)."""
    if frame.empty:
        return f"<p>{escape(empty)}</p>"
    head = "".join(f"<th scope='col'>{escape(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if pd.isna(v) else v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    table = (
        f'<table class="tutor-table" id="{escape(table_id)}"><caption class="sr-only">'
        f"{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
    return scroll_box(table, caption)


def transcript(messages: Sequence[Transcript]) -> str:
    """The student's chat as plain text (what a student typed is never rendered as HTML)."""
    if not messages:
        return "<p>No messages yet.</p>"
    items = "".join(
        f"<li class='msg {m.role}'><span class='who'>"
        f"{'Student' if m.role == 'student' else 'Tutor'}:</span> "
        f"<span class='text'>{escape(m.text)}</span></li>"
        for m in messages
    )
    return f'<ol class="tutor-transcript" aria-label="Transcript">{items}</ol>'


def assignments(found: Sequence[AssignmentView]) -> str:
    if not found:
        return "<p>No assignments in this class.</p>"
    items = "".join(
        f"<li>{escape(a.skill)}: {escape(a.to_whom)} (set {escape(a.set_on)})</li>" for a in found
    )
    return f"<ul class='tutor-assignments'>{items}</ul>"

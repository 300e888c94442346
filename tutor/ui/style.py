"""The page's own CSS, emitted by each view as a `<style>` block (a `gr.HTML`).

Why here and not in a theme: contrast and phone-width fixes that Gradio's default theme
lacks (white on orange is 2.8:1, placeholders 1.9:1; tables wider than a phone are clipped),
kept next to the views they serve. Colours meet WCAG AA (4.5:1 for text).
"""

from __future__ import annotations

import gradio as gr

SHARED = """
.gradio-container button.primary, .gradio-container .primary {
  background: #9a3412 !important; border-color: #9a3412 !important; color: #fff !important;
}
.gradio-container button.primary:hover { background: #7c2d12 !important; }
.gradio-container textarea::placeholder, .gradio-container input::placeholder {
  color: #5b6170 !important; opacity: 1;
}
footer, footer a, footer .built-with { color: #374151 !important; opacity: 1 !important; }
.tutor-status.problem { color: #991b1b; font-weight: 600; }
.tutor-status.ok { color: #14532d; }
.tutor-scroll { overflow-x: auto; max-width: 100%; }
.tutor-scroll:focus { outline: 2px solid #1d4ed8; }
"""

STUDENT = """
#open-question { border-left: 4px solid #1d4ed8; padding: 0.25rem 0.75rem;
  background: #eff6ff; position: sticky; top: 0; z-index: 5; }
#student-chat button[aria-label="Clear"] { display: none !important; }
#solution-note, #student-note { color: #374151; }
"""

TEACHER = """
.tutor-table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
.tutor-table caption.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
.tutor-table caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
.tutor-table th, .tutor-table td { border: 1px solid #d1d5db; padding: 0.3rem 0.5rem;
  vertical-align: top; text-align: left; }
.tutor-table td.pin { font-family: ui-monospace, monospace; white-space: nowrap;
  font-weight: 700; }
.tutor-table td.login { word-break: break-all; font-family: ui-monospace, monospace; }
.mastery-heatmap td { text-align: center; white-space: nowrap; color: #111827; }
.mastery-heatmap .band { font-size: 0.75rem; display: block; }
.mastery-heatmap td.not-started { text-align: left; font-style: italic; }
.legend { font-size: 0.85rem; color: #374151; }
.tutor-transcript { list-style: none; padding: 0; max-height: 28rem; overflow-y: auto; }
.tutor-transcript li { padding: 0.3rem 0.5rem; margin: 0.2rem 0; border-radius: 6px;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.tutor-transcript li.student { background: #eef2ff; }
.tutor-transcript li.tutor { background: #f3f4f6; }
.tutor-transcript .who { font-weight: 700; }
.tutor-download { font-weight: 600; text-decoration: underline; color: #1d4ed8; }
@media (max-width: 640px) {
  #teacher-view .tab-container button, #teacher-view [role="tab"] { padding: 0.3rem 0.45rem;
    font-size: 0.85rem; }
  #teacher-class input, #teacher-student input { padding-right: 2rem; }
}
"""


def style_block(*parts: str) -> gr.HTML:
    """A `<style>` element in the page (Gradio's HTML component renders it as is)."""
    css = "\n".join((SHARED, *parts))
    return gr.HTML(f"<style>{css}</style>", elem_classes=["tutor-style"], padding=False)

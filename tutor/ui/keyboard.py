"""Keyboard fixes for Gradio's components, as a script the page runs (tutor.web.page_script).

Gradio 6's `gr.Radio` gives each of its `<input type=radio>` a name of its own
(`radio-1`, `radio-2`, ...; renamed on every update), so the browser sees one group per
choice: Tab stops at every choice and the arrow keys, which move the choice within a group,
do nothing. The script names every radio in one fieldset alike, and does so again whenever
Gradio renames them, so each `gr.Radio` is one keyboard group: Tab reaches the checked
choice, the arrow keys move it (firing the same `input` event as a click, so the choice is
saved the same way).
"""

from __future__ import annotations

RADIO_GROUPS_SCRIPT = r"""<script>(() => {
let groups = 0;
const regroup = () => {
  for (const fieldset of document.querySelectorAll("fieldset")) {
    const radios = fieldset.querySelectorAll("input[type=radio]");
    if (radios.length < 2) continue;
    if (!fieldset.dataset.radioGroup) fieldset.dataset.radioGroup = `tutor-radio-${++groups}`;
    for (const radio of radios) {
      if (radio.name !== fieldset.dataset.radioGroup) radio.name = fieldset.dataset.radioGroup;
    }
  }
};
let pending = false;  // at most once a frame, however fast the chat streams
const soon = () => {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; regroup(); });
};
new MutationObserver(soon).observe(document.documentElement, {
  subtree: true, childList: true, attributes: true, attributeFilter: ["name"],
});
regroup();
})();</script>"""

"""What the login page says: Gradio's login card shows `auth_message` as HTML, and it is the
only part of that page an app controls, so the app's name, the page title and the field
labels students need ("PIN", not "password") are set from here.

The `<title>` works because Gradio's login page has none of its own (the first `<title>` in a
document is its title). Gradio's labels ("username", "password") cannot be replaced, so CSS
adds to them: "password (students: your PIN)"; the added words are part of the field's
accessible name too, so what a screen reader says matches what is shown.
"""

from __future__ import annotations

APP_NAME = "The tutor"
EXAMPLE_LOGIN = "K7QW2M9P/ada"  # join codes have 8 characters

_CSS = """
.wrap label:has(input[type=password]) [data-testid="block-info"]::after {
  content: " (students: your PIN)";
}
.wrap label:has(input[type=text]) [data-testid="block-info"]::after {
  content: " (students: class code/name)";
}
.wrap button.primary { background: #9a3412; border-color: #9a3412; color: #fff; }
.tutor-login h1 { font-size: 1.6rem; margin: 0 0 0.5rem; }
.tutor-login p { margin: 0.3rem 0; }
"""

LOGIN_MESSAGE = (
    f"<title>{APP_NAME}: log in</title><style>{_CSS}</style>"
    f'<div class="tutor-login"><h1>{APP_NAME}</h1>'
    "<p><strong>Students:</strong> type your class code and your name as "
    f"<code>CODE/name</code> (for example <code>{EXAMPLE_LOGIN}</code>), then your PIN.</p>"
    "<p><strong>Teachers:</strong> your username and password.</p>"
    "<p>After 5 wrong tries a login is locked for 15 minutes: your teacher can unlock it "
    "and give you a new PIN.</p></div>"
)

"""What the login page says: Gradio's login card shows `auth_message` as HTML, and it is the
only part of that page an app controls, so the app's name, the page title and the field
labels students need ("PIN", not "password") are set from here.

The `<title>` works because Gradio's login page has none of its own (the first `<title>` in a
document is its title). Gradio's labels ("username", "password") cannot be replaced, so CSS
adds to them: "password (students: your PIN)"; the added words are part of the field's
accessible name too, so what a screen reader says matches what is shown.

After a failed login Gradio's card empties both fields and shows "Incorrect Credentials"
whatever happened. The app's script (`LOGIN_SCRIPT`, put in the page by
`tutor.web.page_script`) puts the typed login name back, moves to the PIN field and shows
the server's words for that attempt (`refusal_text`: wrong, tries left, or locked and for
how long) in a live region, so a locked-out student reads why and what to do.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

from tutor.accounts import LOCKOUT_FAILURES, LoginRefusal

APP_NAME = "The tutor"
EXAMPLE_LOGIN = "K7QW2M9P/ada"  # join codes have 8 characters
STATUS_ID = "tutor-login-status"
WRONG = "That login and PIN (or password) do not match. Check both and try again."
UNLOCK = (
    "Students: ask your teacher to unlock it (they can give you a new PIN too). "
    "Teachers: wait, or ask whoever runs the tutor."
)

_CSS = """
.wrap label:has(input[type=password]) [data-testid="block-info"]::after {
  content: " (students: your PIN)";
}
.wrap label:has(input[type=text]) [data-testid="block-info"]::after {
  content: " (students: class code/name)";
}
.wrap button.primary, .wrap button.primary:hover {
  background: #9a3412; border-color: #9a3412; color: #fff;
}
.wrap button.primary:hover { background: #7c2d12; }
.tutor-login h1 { font-size: 1.6rem; margin: 0 0 0.5rem; }
.tutor-js .wrap p.creds { display: none; }
#tutor-login-status:not(:empty) {
  border-left: 4px solid #9a3412; padding: 0.4rem 0.6rem; font-weight: 600;
}
.tutor-login p { margin: 0.3rem 0; }
"""

LOGIN_MESSAGE = (
    f"<title>{APP_NAME}: log in</title><style>{_CSS}</style>"
    f'<div class="tutor-login"><h1>{APP_NAME}</h1>'
    "<p><strong>Students:</strong> type your class code and your name as "
    f"<code>CODE/name</code> (for example <code>{EXAMPLE_LOGIN}</code>), then your PIN.</p>"
    "<p><strong>Teachers:</strong> your username and password.</p>"
    "<p>After 5 wrong tries a login is locked for 15 minutes: your teacher can unlock it "
    "and give you a new PIN.</p>"
    f'<p id="{STATUS_ID}" role="alert" aria-live="assertive"></p></div>'
)


def refusal_text(refusal: LoginRefusal, now: datetime | None = None) -> str:
    """What the login page says after one failed attempt. The same for a name that exists
    and one that does not (both are counted and locked alike), so it reveals nothing more
    than the lock itself."""
    moment = now or datetime.now(UTC)
    if refusal.locked_until is not None and refusal.locked_until > moment:
        how_long = _how_long(refusal.locked_until - moment)
        return f"This login is locked for {how_long} after too many wrong tries. {UNLOCK}"
    if refusal.rate_limited_until is not None and refusal.rate_limited_until > moment:
        return "Too many tries in a short time: wait a minute, then try again."
    left = refusal.tries_left
    if left is not None and 0 < left < LOCKOUT_FAILURES - 1:
        tries = "try" if left == 1 else "tries"
        return f"{WRONG} {left} more wrong {tries} will lock this login for 15 minutes."
    return WRONG


def _how_long(left: timedelta) -> str:
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    if minutes <= 90:
        return f"{minutes} more minute" + ("" if minutes == 1 else "s")
    hours = math.ceil(minutes / 60)
    return f"{hours} more hours"


# Runs on the login page (and, idle, on the app): wraps `fetch` for the login POST only.
LOGIN_SCRIPT = (
    "<script>(() => {"
    "const statusId = " + json.dumps(STATUS_ID) + ";"
    "const fallback = " + json.dumps(WRONG) + ";"
    r"""
const realFetch = window.fetch.bind(window);
const isLogin = (input, init) => {
  try {
    const url = new URL(typeof input === "string" ? input : input.url, location.href);
    return !!init && String(init.method).toUpperCase() === "POST"
      && /\/login\/?$/.test(url.pathname);
  } catch (e) { return false; }
};
const field = (type) => document.querySelector(`.wrap input[type=${type}]`);
const show = (typed, words) => {
  // Gradio's own "Incorrect Credentials" hides only once ours is shown: should a later
  // Gradio log in another way, its message stays.
  document.documentElement.classList.add("tutor-js");
  const name = field("text");
  if (name && typed && !name.value) {
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
    setter.call(name, typed);
    name.dispatchEvent(new Event("input", { bubbles: true }));
  }
  const status = document.getElementById(statusId);
  if (status) {  // emptied first, so the same words said again are announced again
    status.textContent = "";
    setTimeout(() => {
      status.textContent = words;
      status.dataset.attempt = String(Number(status.dataset.attempt || 0) + 1);
    }, 50);
  }
  const pin = field("password");
  if (pin) pin.focus();
};
window.fetch = async (input, init) => {
  if (!isLogin(input, init)) return realFetch(input, init);
  const body = init.body;
  const typed = body instanceof FormData ? String(body.get("username") || "") : "";
  const response = await realFetch(input, init);
  if (response.status !== 200) {
    let words = fallback;
    try {
      const detail = (await response.clone().json()).detail;
      if (typeof detail === "string" && detail) words = detail;
    } catch (e) {}
    setTimeout(() => show(typed, words), 0);
  }
  return response;
};
})();</script>"""
)

"""Issue 13 finding 3, in the real browser: a page on another site, opened by a logged-in
teacher, must not read or drive the app.

Gradio's CORS layer echoes any Origin with credentials allowed when the Host is not localhost,
and its cookie was `SameSite=None; Secure`, so the attack needs a real host name and HTTPS:
the app is served over TLS (a certificate made here) as https://tutor.test, the attacker's
page as http://evil.test, both mapped to 127.0.0.1 by Chromium's host-resolver rules. The
teacher logs in, then opens the attacker's page, whose script fetches the app's config, the
raw session token and a queue join with `credentials: "include"`. Against the code before
the fix this page read the config (200), the token (`{"token": "...", "user": "ms-rivera"}`)
and joined the queue (200) as the teacher.
"""

from __future__ import annotations

import datetime
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.app_server import TEACHER, _seed, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
APP_HOST = "tutor.test"
EVIL_HOST = "evil.test"
WAIT_MS = 60_000
ALLOW_THIRD_PARTY_COOKIES = (
    '{"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": false}}'
)

ATTACK_PAGE = """<!doctype html><html><body><script>
const APP = "%(app)s";
window.results = {};
async function probe(name, path, options) {
  try {
    const reply = await fetch(APP + path, Object.assign({credentials: "include"}, options || {}));
    window.results[name] = {status: reply.status, body: (await reply.text()).slice(0, 4000)};
  } catch (error) {
    window.results[name] = {error: String(error)};
  }
}
Promise.all([
  probe("config", "/config"),
  probe("token", "/gradio_api/token"),
  probe("join", "/gradio_api/queue/join", {
    method: "POST",
    headers: {"content-type": "application/json"},
    body: JSON.stringify({data: ["Cross-site class"], fn_index: 0, session_hash: "evil01"}),
  }),
]).then(() => { window.done = true; });
</script></body></html>"""


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, APP_HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(APP_HOST)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.fixture(scope="module")
def https_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The app (templates, no model) over HTTPS on a free port; yields the port."""
    from tutor.generation import UnavailableGenerator
    from tutor.settings import Settings
    from tutor.ui.compose import build_app

    folder = tmp_path_factory.mktemp("https-app")
    key, cert = _certificate(folder)
    port = free_port()
    settings = Settings(data_dir=folder, port=port, backup_dir=None)
    built = build_app(settings=settings, generator=UnavailableGenerator("no model"))
    _seed(built.services.sessions)
    kwargs = {**built.launch_kwargs, "prevent_thread_lock": True, "quiet": True}
    built.blocks.launch(**kwargs, ssl_keyfile=str(key), ssl_certfile=str(cert), ssl_verify=False)
    try:
        yield port
    finally:
        built.close()


@pytest.fixture(scope="module")
def attacker_site(https_app: int) -> Iterator[int]:
    page = (ATTACK_PAGE % {"app": f"https://{APP_HOST}:{https_app}"}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A browser profile that allows third-party cookies (Chrome's default for a normal
    profile; a fresh incognito-like context would block them and hide the attack)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        _missing(f"no chromium at {CHROMIUM}")
    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        f"--host-resolver-rules=MAP {APP_HOST} 127.0.0.1, MAP {EVIL_HOST} 127.0.0.1",
        # Third-party cookies on, as in Chrome's and Edge's default profiles; no local-network
        # prompt (both names map to 127.0.0.1 here).
        "--disable-features=ThirdPartyCookiePhaseout,TrackingProtection3pcd,"
        "ThirdPartyStoragePartitioning,LocalNetworkAccessChecks,"
        "PrivateNetworkAccessRespectPreflightResults",
    ]
    with sync_playwright() as playwright:
        profile = tmp_path_factory.mktemp("chromium-profile")
        (profile / "Default").mkdir()
        (profile / "Default" / "Preferences").write_text(ALLOW_THIRD_PARTY_COOKIES)
        launched = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=args, ignore_https_errors=True
        )
        try:
            yield launched
        finally:
            launched.close()


def _missing(reason: str) -> None:
    if os.environ.get("TUTOR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"TUTOR_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def test_3_another_site_cannot_read_or_drive_the_app_as_the_teacher(
    browser: Any, https_app: int, attacker_site: int
) -> None:
    context = browser
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"https://{APP_HOST}:{https_app}/")
    page.locator("input[type=text]").first.fill(TEACHER[0])
    page.locator("input[type=password]").first.fill(TEACHER[1])
    page.get_by_role("button", name=re.compile("login", re.I)).click()
    page.get_by_text("Logged in as").wait_for()

    evil = context.new_page()
    evil.goto(f"http://{EVIL_HOST}:{attacker_site}/")
    evil.wait_for_function("() => window.done === true", timeout=WAIT_MS)
    results = evil.evaluate("() => window.results")

    config = results["config"]
    assert "dependencies" not in config.get("body", ""), config  # the page's whole API
    token = results["token"]
    assert not re.search(r'"token":\s*"[\w-]{8,}"', token.get("body", "")), token
    join = results["join"]
    assert join.get("status") != 200, join
    # The teacher's own tab still works.
    assert page.evaluate("async () => (await fetch('/config')).status") == 200

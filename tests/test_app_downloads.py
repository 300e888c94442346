"""Downloads never touch the server's disk: the PIN list and the exports come back as data:
links in the page, so nothing with a class's PINs or a student's data is left in the temp
folder or Gradio's cache for another account to fetch by URL (finding 11 of issue 13)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from gradio_client import Client

from tests.fixtures.app_server import AppServer
from tests.test_app_endpoints import download_of

pytestmark = pytest.mark.slow


def _files_since(folders: list[Path], since: float) -> list[Path]:
    found = []
    for folder in folders:
        if not folder.exists():
            continue
        for root, _dirs, files in os.walk(folder):
            for name in files:
                path = Path(root) / name
                try:
                    if path.stat().st_mtime >= since:
                        found.append(path)
                except OSError:
                    continue
    return found


def test_pin_lists_and_exports_leave_no_file_on_the_server(
    template_app_server: AppServer,
) -> None:
    temp = Path(tempfile.gettempdir())
    cache = Path(os.environ.get("GRADIO_TEMP_DIR", temp / "gradio"))
    started = time.time() - 1
    teacher = Client(template_app_server.url, auth=template_app_server.teacher, verbose=False)
    _table, link, _note = teacher.predict(
        template_app_server.classroom_id, "Pia Quist", api_name="/add_students"
    )
    assert download_of(link).lstrip("\ufeff").startswith("name,login,PIN")
    export, _ = teacher.predict(template_app_server.classroom_id, api_name="/export_attempts")
    assert download_of(export)
    student, _ = teacher.predict(template_app_server.student_ids[0], api_name="/export_student")
    assert download_of(student)
    written = [
        p
        for p in _files_since([temp, cache], started)
        if p.name.startswith(("logins", "class-", "attempts", "mastery", "student"))
        or "tutor-export" in str(p)
    ]
    assert written == []

"""Test-wide setup: no network, quiet threads, and the shared fixtures' modules.

Fixtures that start real things live in `tests/fixtures/` (a PostgreSQL server, a tiny GPT-2).
"""

from __future__ import annotations

import os

# Before anything imports torch: one passive OpenMP pool (a spinning second thread made this
# 2-core machine 8x slower when another process was busy), and never reach for a model hub.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.tiny_gpt2",
    "tests.fixtures.app_server",
]

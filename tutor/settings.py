"""The one settings object, read from the environment once, at the edge.

`app.py` and the CLI call `load_settings()` and pass the result down; nothing reads the
environment at import time, so tests can build a `Settings` by hand with the values they need.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BASE_MODEL = "openai-community/gpt2"
DEFAULT_DB_FILENAME = "tutor.db"


class Settings(BaseSettings):
    """Everything an operator may set. Each field's description is its documentation."""

    model_config = SettingsConfigDict(env_prefix="TUTOR_", frozen=True, extra="ignore")

    data_dir: Path = Field(
        default_factory=Path.cwd,
        description="Folder for the SQLite database and, unless set apart, the adapters.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "TUTOR_DATABASE_URL"),
        description="SQLAlchemy URL; default: a SQLite file `tutor.db` in the data folder.",
    )
    backup_dir: Path | None = Field(
        default=None,
        description="Where online backups go (on Spaces a mounted bucket). Never the live DB.",
    )
    base_model: str = Field(
        default=DEFAULT_BASE_MODEL,
        description="Hub id or local folder of the causal LM that writes the tutor's words.",
    )
    models_dir: Path | None = Field(
        default=None,
        description="Folder for converted base weights (the offline base); default: "
        "`~/.cache/tutor/models` (outside the checkout; TUTOR_MODELS_DIR).",
    )
    adapters_dir: Path | None = Field(
        default=None,
        description="Folder of LoRA adapter folders; default: `lora_adapters` in the data folder.",
    )
    generator_url: str | None = Field(
        default=None,
        description=(
            "Base URL of a serving engine speaking the OpenAI completions API (vLLM, llama.cpp "
            "server, TGI), e.g. http://gpu-box:8000; set, it generates instead of the local "
            "model, with the adapter chosen per request by the `model` field."
        ),
    )
    device: str = Field(
        default="auto",
        description="`auto` (CUDA when present, else CPU), `cpu`, `cuda` or `cuda:N`.",
    )
    max_message_chars: int = Field(
        default=2000, ge=1, description="Longest student message the server accepts."
    )
    message_retention_days: int | None = Field(
        default=None,
        ge=1,
        description="Chat messages older than this are deleted by `tutor maintenance`.",
    )
    host: str = Field(default="127.0.0.1", description="Address the app listens on.")
    port: int = Field(default=7860, ge=1, le=65535, description="Port the app listens on.")
    require_model: bool = Field(
        default=False,
        description="Refuse to start when the base model cannot be loaded (else: templates).",
    )
    backup_interval_minutes: float = Field(
        default=10,
        gt=0,
        description="Minutes between the app's online backups to TUTOR_BACKUP_DIR (SQLite).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO",
        description="What the app logs: INFO names, per reply part, whether the model (and "
        "which adapter) or a template wrote the words; DEBUG adds each plan the model words.",
    )
    admin_username: str | None = Field(
        default=None,
        description="With TUTOR_ADMIN_PASSWORD: a first teacher the app creates at start.",
    )
    admin_password: SecretStr | None = Field(
        default=None,
        description="Password of TUTOR_ADMIN_USERNAME (a Spaces secret; at least 8 characters).",
    )

    @model_validator(mode="after")
    def _refuse_live_db_on_backup_dir(self) -> Settings:
        backup_holds_live_db = (
            self.backup_dir is not None
            and self.database_url is None
            and self.backup_dir.resolve() == self.data_dir.resolve()
        )
        if backup_holds_live_db:
            raise ValueError(
                "TUTOR_BACKUP_DIR must differ from TUTOR_DATA_DIR: the live SQLite file "
                "must never sit on the backup mount"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        """The URL the engine is built from: DATABASE_URL, else the data folder's SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / DEFAULT_DB_FILENAME).resolve()}"

    @property
    def explicit_base_model(self) -> str | None:
        """TUTOR_BASE_MODEL when it was set; None lets the app choose (`adapters.serving`)."""
        return self.base_model if "base_model" in self.model_fields_set else None

    @property
    def resolved_adapters_dir(self) -> Path:
        if self.adapters_dir is not None:
            return self.adapters_dir
        return self.data_dir / "lora_adapters"


def load_settings() -> Settings:
    """Read the environment once; called only by `app.py` and the CLI."""
    return Settings()

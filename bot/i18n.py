"""gettext catalogues (one .po per language, compiled on start) and the locale middleware."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from domain.models import Language

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("en", "ru")
DOMAIN = "messages"


def compile_catalogues(path: Path = LOCALES_DIR) -> None:
    """Compile .po into .mo when the .mo is missing or older, so a fresh clone needs no extra step."""
    for po_path in path.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fp:
            catalog = read_po(fp, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as fp:
            write_mo(fp, catalog, use_fuzzy=False)
        tmp.replace(mo_path)


def build_i18n() -> I18n:
    compile_catalogues()
    return I18n(path=LOCALES_DIR, default_locale="en", domain=DOMAIN)


class UserLocaleMiddleware(I18nMiddleware):
    """The language stored on the user (from Telegram at first contact, or chosen with /language)."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user = data.get("user")
        if user is not None:
            return user.language.value
        person = data.get("event_from_user")  # an inline query: the person is not identified
        return Language.from_telegram(person.language_code).value if person else self.i18n.default_locale

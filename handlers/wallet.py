"""The wallet: balance and the last transactions."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.config import Settings
from domain.models import User
from domain.services.wallet import WalletService
from handlers import render

router = Router(name="wallet")


@router.message(Command("wallet"))
async def show_wallet(message: Message, user: User, wallet: WalletService, settings: Settings) -> None:
    view = await wallet.overview(user.id)
    await message.answer(render.wallet(view, settings.tz, user.telegram_id))

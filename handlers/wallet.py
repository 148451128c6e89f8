"""The wallet: balance and the last transactions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from domain.models import User
from domain.services.wallet import WalletService
from handlers.views import wallet as wallet_view

router = Router(name="wallet")


@router.message(Command("wallet"))
async def show_wallet(message: Message, user: User, wallet: WalletService, tz: ZoneInfo) -> None:
    view = await wallet.overview(user.id)
    await message.answer(wallet_view.wallet(view, tz, user.telegram_id), reply_markup=wallet_view.wallet_keyboard())

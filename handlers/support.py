"""/user (admins) and /order (admins, and organizers for orders of their own events)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from domain.ids import parse_person, parse_telegram_id
from domain.models import User
from domain.services.support import SupportService
from domain.services.users import UserService
from handlers.views import base as v
from handlers.views import support as view

router = Router(name="support")


@router.message(Command("user"))
async def user_card(
    message: Message, command: CommandObject, user: User, users: UserService, support: SupportService, tz: ZoneInfo
) -> None:
    users.ensure_admin(user)
    args = (command.args or "").split()
    if len(args) != 1:
        await message.answer(v._("support.user.usage"))
        return
    who = parse_person(args[0])
    if who is None:
        text = v._("admin.bad_person").format(text=v.escape(v.clip(args[0], 40)))
        await message.answer(text + "\n\n" + v._("support.user.usage"))
        return
    card = await support.user_card(user, who)
    await message.answer(view.user_card(card, tz, users.is_admin(card.user)))


@router.message(Command("order"))
async def order_card(message: Message, command: CommandObject, user: User, support: SupportService, tz: ZoneInfo):
    args = (command.args or "").split()
    order_id = parse_telegram_id(args[0].lstrip("#№")) if len(args) == 1 else None
    if order_id is None:
        await message.answer(v._("support.order.usage"))
        return
    await message.answer(view.order_card(await support.order_card(user, order_id), tz))

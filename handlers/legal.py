"""/terms (the sale terms and how refunds and card payments work) and /paysupport (a payment question goes
to the shop's administrators): Telegram's terms ask every bot that takes payments to answer both."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from domain.models import User
from domain.services.organizers import OrganizerService
from handlers.organizer import _tell
from handlers.views import base as v
from handlers.views import legal as view

router = Router(name="legal")
logger = logging.getLogger(__name__)
MAX_QUESTION = 1000


class PaySupport(StatesGroup):
    question = State()  # the next text goes to the administrators


@router.message(Command("terms"))
async def terms(message: Message) -> None:
    await message.answer(view.terms())


@router.message(Command("paysupport"))
async def paysupport(
    message: Message,
    command: CommandObject,
    user: User,
    organizers: OrganizerService,
    state: FSMContext,
    i18n: I18n,
    bot: Bot,
) -> None:
    if not (command.args or "").strip():
        await state.set_state(PaySupport.question)
        await message.answer(view.ask())
        return
    await _forward(message, command.args, user, organizers, i18n, bot)


@router.message(StateFilter(PaySupport.question), F.text & ~F.text.startswith("/"))
async def question(
    message: Message, user: User, organizers: OrganizerService, state: FSMContext, i18n: I18n, bot: Bot
) -> None:
    await state.clear()
    await _forward(message, message.text, user, organizers, i18n, bot)


async def _forward(message: Message, text: str, user: User, organizers: OrganizerService, i18n: I18n, bot: Bot):
    text = text.strip()
    if len(text) > MAX_QUESTION:
        await message.answer(
            v._("paysupport.too_long").format(max=v.chars_n(MAX_QUESTION), length=v.chars_n(len(text)))
        )
        return
    admins = await organizers.known_admins()
    if not admins:
        logger.warning("payment question not delivered: no admin has started the bot (user_id=%s)", user.id)
        await message.answer(v._("paysupport.nobody"))
        return
    for admin in admins:
        await _tell(bot, i18n, admin, lambda: (view.question_card(user, text), None))
    logger.info("payment question sent to %s admins: user_id=%s", len(admins), user.id)
    await message.answer(v._("paysupport.sent"))

"""The app factory: wires settings, database, services, bot and dispatcher together."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import DisabledEventIsolation, MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncEngine

import handlers
from bot import textclean
from bot.broadcast import BroadcastSender
from bot.config import TELEGRAM_API, Settings
from bot.i18n import UserLocaleMiddleware, build_i18n
from bot.limits import MemoryAttemptLimiter, RedisAttemptLimiter
from bot.middlewares import (
    ConflictRetryMiddleware,
    DomainErrorMiddleware,
    IdentifyMiddleware,
    LenientCallbackAnswerMiddleware,
    PrivateChatOnlyMiddleware,
    UpdateLogMiddleware,
)
from bot.ordering import LocalSequencer, RedisSequencer, Sequencer, UserOrderMiddleware
from bot.retry import RetryAfterMiddleware
from domain.clock import Clock, SystemClock
from domain.models import User
from domain.policies import AdminPolicy, HoldPolicy
from domain.ports import AttemptLimiter
from domain.services.admin import AdminService
from domain.services.attendees import AttendeeService
from domain.services.broadcasts import BroadcastService
from domain.services.cart import CartService
from domain.services.cart_codes import CODE_GUESSES, CartCodes
from domain.services.catalog import CatalogService
from domain.services.checkin import CheckinService
from domain.services.checkout import CheckoutService
from domain.services.door_staff import DoorStaffService
from domain.services.event_editor import EventEditor
from domain.services.memberships import MembershipService, PlanEditor
from domain.services.organizers import OrganizerService
from domain.services.promo_editor import PromoEditor
from domain.services.questions import QuestionEditor
from domain.services.reports import ReportService
from domain.services.support import SupportService
from domain.services.tariff_editor import TariffEditor
from domain.services.tickets import TicketService
from domain.services.topup import TopUpService
from domain.services.users import UserService
from domain.services.wallet import WalletService
from handlers.menus import set_default_menu, set_personal_menu
from handlers.qr import TicketPictures
from handlers.views import base as v
from storage.engine import bookkeeping_engine
from storage.inbox import UpdateInbox
from storage.uow import UnitOfWorkFactory

logger = logging.getLogger(__name__)
SANDBOX_TOKEN = "123456:SANDBOX-local-token-not-secret"


@dataclass
class Services:
    users: UserService
    catalog: CatalogService
    cart: CartService
    checkout: CheckoutService
    attendees: AttendeeService
    wallet: WalletService
    tickets: TicketService
    checkin: CheckinService
    admin: AdminService
    organizers: OrganizerService
    editor: EventEditor
    tariffs: TariffEditor
    door_staff: DoorStaffService
    reports: ReportService
    support: SupportService
    broadcasts: BroadcastService
    questions: QuestionEditor
    codes: CartCodes
    memberships: MembershipService
    plans: PlanEditor
    promos: PromoEditor
    topup: TopUpService

    def as_workflow_data(self) -> dict:
        return dict(self.__dict__)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    bot: Bot
    dp: Dispatcher
    services: Services
    clock: Clock
    i18n: I18n
    update_log: UpdateInbox
    sequencer: Sequencer
    bookkeeping: AsyncEngine
    pictures: TicketPictures
    broadcaster: BroadcastSender

    async def close(self) -> None:
        await self.broadcaster.close()  # claims of an interrupted broadcast are taken up after a restart
        self.pictures.close()
        await self.bot.session.close()
        await self.dp.storage.close()
        if self.bookkeeping is not self.engine:
            await self.bookkeeping.dispose()


def build_services(
    engine: AsyncEngine,
    settings: Settings,
    clock: Clock,
    bookkeeping: AsyncEngine | None = None,
    limiter: AttemptLimiter | None = None,
    code_limiter: AttemptLimiter | None = None,
) -> Services:
    uow = UnitOfWorkFactory(engine, bookkeeping)
    hold = HoldPolicy(
        settings.hold_minutes,
        settings.max_tickets_per_order,
        max_per_person=settings.max_tickets_per_person,
        max_per_event_order=settings.max_tickets_per_event_order,
        max_held=settings.max_tickets_held,
        cooldown_releases=settings.hold_cooldown_releases,
        cooldown_window=timedelta(minutes=settings.hold_cooldown_window_minutes),
        cooldown_for=timedelta(minutes=settings.hold_cooldown_minutes),
        tz=settings.tz,
    )
    admins = AdminPolicy(settings.admin_ids)
    cur = settings.currency
    return Services(
        users=UserService(uow, clock, admins),
        catalog=CatalogService(uow, clock, hold, settings.tz),
        cart=CartService(uow, clock, hold, cur),
        checkout=CheckoutService(uow, clock, hold, cur),
        attendees=AttendeeService(uow, clock, hold, cur),
        wallet=WalletService(uow, clock, admins, cur),
        tickets=TicketService(uow),
        checkin=CheckinService(uow, clock, admins, limiter or MemoryAttemptLimiter()),
        admin=AdminService(uow, clock, admins),
        organizers=OrganizerService(uow, clock, admins),
        editor=EventEditor(uow, clock),
        tariffs=TariffEditor(uow, clock, hold, cur),
        door_staff=DoorStaffService(uow, clock),
        reports=ReportService(uow, cur),
        support=SupportService(uow, admins, cur),
        broadcasts=BroadcastService(uow, clock),
        questions=QuestionEditor(uow, clock, admins),
        codes=CartCodes(uow, clock, hold, cur, code_limiter or MemoryAttemptLimiter(CODE_GUESSES)),
        memberships=MembershipService(uow, clock, cur, settings.tz),
        plans=PlanEditor(uow, clock, admins, cur),
        promos=PromoEditor(uow, clock, admins, cur, settings.tz),
        topup=TopUpService(uow, clock, cur, available=settings.payment_provider_token is not None),
    )


def _fsm(settings: Settings) -> tuple[BaseStorage, Sequencer]:
    """Redis when several bot processes share the load (I2); memory for a single process. One person's
    updates are put in order by the sequencer (bot/ordering.py), so aiogram's own isolation is off."""
    if settings.redis_url:
        storage = RedisStorage.from_url(settings.redis_url)
        return storage, RedisSequencer(storage.redis)
    return MemoryStorage(), LocalSequencer()


def build_app(settings: Settings, engine: AsyncEngine, clock: Clock | None = None) -> App:
    clock = clock or SystemClock()
    bookkeeping = bookkeeping_engine(engine)
    storage, sequencer = _fsm(settings)
    # With Redis, one client (closed with the FSM storage) serves dialog state, order and door limits.
    limiter = RedisAttemptLimiter(storage.redis) if isinstance(storage, RedisStorage) else MemoryAttemptLimiter()
    code_limiter = (
        RedisAttemptLimiter(storage.redis, CODE_GUESSES, prefix="ticketbot:code-guesses")
        if isinstance(storage, RedisStorage)
        else MemoryAttemptLimiter(CODE_GUESSES)
    )
    services = build_services(engine, settings, clock, bookkeeping, limiter, code_limiter)
    i18n = build_i18n()
    update_log = UpdateInbox(bookkeeping)

    api = (
        PRODUCTION
        if settings.telegram_api_base.rstrip("/") == TELEGRAM_API
        else TelegramAPIServer.from_base(settings.telegram_api_base)
    )
    session = AiohttpSession(api=api, json_loads=textclean.loads)  # every string from Telegram cleaned once
    session.middleware(RetryAfterMiddleware())
    token = settings.bot_token.get_secret_value() if settings.bot_token else SANDBOX_TOKEN
    bot = Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))

    pictures = TicketPictures(settings.qr_processes)
    broadcaster = BroadcastSender(bot, i18n, services.broadcasts, settings.tz)
    dp = Dispatcher(
        storage=storage,
        events_isolation=DisabledEventIsolation(),
        disable_fsm=True,  # registered below, after the person's turn: it reads dialog state (Redis)
        settings=settings,
        tz=settings.tz,
        pictures=pictures,
        broadcaster=broadcaster,
        **services.as_workflow_data(),
    )
    dp.update.outer_middleware(UserOrderMiddleware(sequencer, asyncio.Semaphore(settings.max_updates_in_flight)))
    dp.update.outer_middleware(dp.fsm)
    dp.update.outer_middleware(UpdateLogMiddleware(update_log, clock))
    dp.update.outer_middleware(PrivateChatOnlyMiddleware(i18n))
    dp.update.outer_middleware(IdentifyMiddleware(services.users))
    UserLocaleMiddleware(i18n).setup(dp)
    dp.callback_query.middleware(LenientCallbackAnswerMiddleware())
    for observer in (dp.callback_query, dp.message):
        observer.middleware(ConflictRetryMiddleware())
        observer.middleware(DomainErrorMiddleware())
    dp.errors.register(_on_error)
    dp.include_routers(*handlers.routers())
    return App(
        settings, engine, bot, dp, services, clock, i18n, update_log, sequencer, bookkeeping, pictures, broadcaster
    )


async def _on_error(event: ErrorEvent, i18n: I18n, bot: Bot, user: User | None = None) -> bool:
    """The last line of defence: log with the update id, apologise, keep polling."""
    logger.exception("unhandled error", exc_info=event.exception)
    update = event.update
    chat = None
    if update.message:
        chat = update.message.chat
    elif update.callback_query and update.callback_query.message:
        chat = update.callback_query.message.chat
    if chat is None or chat.type != "private":  # never an apology (or anything else) in a group
        return True
    chat_id = chat.id
    lang = user.language.value if user else "en"
    with i18n.context(), i18n.use_locale(lang):
        text = v._("error.unexpected")
    try:
        await bot.send_message(chat_id, text)
    except TelegramAPIError:
        logger.warning("could not deliver the apology")
    return True


async def set_commands(app: App) -> None:
    """The customers' menu in each language for everyone, and their own menu for each admin who has
    started the bot (organizers get theirs when the role is granted)."""
    await set_default_menu(app.bot, app.i18n)
    for admin in await app.services.organizers.known_admins():
        staff = await app.services.door_staff.is_staff(admin)
        lang = admin.language.value
        await set_personal_menu(app.bot, app.i18n, admin.telegram_id, admin.is_organizer, True, lang, staff)

"""The attendee dialog: who each ticket is for and the organizer's questions, asked one step at a time.

Opened from the cart ("Attendees"), or by a Pay press while something is missing: then the payment goes
on by itself after the last answer, for the cart version and conditions that Pay press showed. The questions
asked once per order come first, about the buyer (item BUYER, seat 0 in the dialog's state and buttons)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from domain.attendees import NAME
from domain.errors import AttendeeNotFound, DomainError
from domain.models import Question, User
from domain.services.attendees import BUYER, AttendeeService, buyer_question, question_of, seat_of
from domain.services.cart import CartService
from domain.services.checkout import CheckoutService
from domain.services.topup import TopUpService
from domain.views import CartView
from handlers.callbacks import AttCb
from handlers.editing import show
from handlers.payment import settle
from handlers.qr import TicketPictures
from handlers.views import attendees as view
from handlers.views import base as v
from handlers.views import cart as cart_view

router = Router(name="attendees")


class AttendeeForm(StatesGroup):
    answering = State()  # data: item, seat, step ("name" or a question id), editing, picked, paying


def _first_missing(cart: CartView) -> tuple[int, int, object] | None:
    """(item, seat, step) of what is still missing: the buyer's own answers first, then the tickets'."""
    if cart.buyer_missing is not None:
        return BUYER, 0, cart.buyer_missing
    for _, line, seat in cart.seats():
        missing = line.missing(seat)
        if missing is not None:
            return line.item_id, seat, missing
    return None


def _steps(cart: CartView, item_id: int, seat: int) -> list:
    """What the dialog asks of that ticket (its name, then its questions) or of the buyer; [] if gone."""
    if item_id == BUYER:
        return list(cart.buyer_questions) if seat == 0 else []
    if not any(line.item_id == item_id and s == seat for _, line, s in cart.seats()):
        return []
    return [NAME, *seat_of(cart, item_id, seat).questions]


def _after(cart: CartView, data: dict) -> tuple[int, int, object] | None:
    """Where the dialog goes next: while editing, the next step of the same ticket (or of the buyer); else
    the next gap."""
    steps = _steps(cart, data["item"], data["seat"]) if data.get("editing") else []
    asked = [step if step == NAME else step.id for step in steps]
    if data["step"] not in asked:  # filling, or the line or question is gone
        return _first_missing(cart)
    at = asked.index(data["step"]) + 1
    return (data["item"], data["seat"], steps[at]) if at < len(steps) else None


def _number(cart: CartView, item_id: int, seat: int) -> int:
    return next(n for n, line, s in cart.seats() if line.item_id == item_id and s == seat)


def _question(cart: CartView, item_id: int, seat: int, question_id: int) -> Question:
    """A question the dialog asks of that ticket or of the buyer; else AttendeeNotFound (data can be forged)."""
    if item_id == BUYER:
        return buyer_question(cart, seat, question_id)
    return question_of(seat_of(cart, item_id, seat), question_id)


def _answers(cart: CartView, item_id: int, seat: int) -> dict:
    return cart.buyer_answers if item_id == BUYER else seat_of(cart, item_id, seat).attendees[seat].answers


def _prompt(cart: CartView, item_id: int, seat: int, step, editing: bool, picked: list[int]):
    if item_id == BUYER:
        return view.buyer_prompt(step, cart.buyer_answers, editing, picked)
    line = seat_of(cart, item_id, seat)
    return view.prompt(cart, line, seat, _number(cart, item_id, seat), step, editing, picked)


async def _ask(state: FSMContext, cart: CartView, target: tuple[int, int, object], data: dict):
    item_id, seat, step = target
    data = {**data, "item": item_id, "seat": seat, "step": NAME if step == NAME else step.id, "picked": []}
    if step != NAME and data.get("editing"):
        current = _answers(cart, item_id, seat).get(step.id)
        data["picked"] = (
            [step.options.index(o) for o in current if o in step.options] if isinstance(current, list) else []
        )
    await state.set_state(AttendeeForm.answering)
    await state.set_data(data)
    return _prompt(cart, item_id, seat, step, bool(data.get("editing")), data["picked"])


async def begin(query: CallbackQuery, state: FSMContext, attendees: AttendeeService, user: User, paying=None) -> None:
    """From the cart's button or a Pay press: the first ticket still missing something."""
    cart = await attendees.cart(user.id)
    target = _first_missing(cart)
    if target is None:
        await show(query, *view.seats(cart))
        return
    await show(query, *await _ask(state, cart, target, {"editing": False, "paying": paying}))


@dataclass(frozen=True)
class Paying:
    """What paying at the end of the dialog needs."""

    bot: Bot
    chat_id: int
    user: User
    cart: CartService
    checkout: CheckoutService
    pictures: TicketPictures
    tz: ZoneInfo
    topup: TopUpService | None = None  # offers the missing amount when the wallet is short


async def _next(state: FSMContext, cart: CartView, data: dict, reply, notice, p: Paying) -> None:
    target = _after(cart, data)
    if target is not None:
        await reply(*await _ask(state, cart, target, data))
        return
    await state.clear()
    pay = data.get("paying")
    if pay and not cart.attendees_missing:
        await settle(
            p.bot,
            p.chat_id,
            p.user,
            p.cart,
            p.checkout,
            p.pictures,
            p.tz,
            pay["version"],
            pay["terms"],
            reply,
            notice,
            total=pay.get("total"),
            topup=p.topup,
        )
        return
    if not cart.attendees_missing:
        await notice(v._("attendee.all_done"))
    await reply(*cart_view.cart(cart, p.tz))


async def _picked(state: FSMContext, pressed: AttCb) -> list[int]:
    """The options ticked so far, when they were ticked on this very question of this very ticket."""
    data = await state.get_data()
    same = (data.get("item"), data.get("seat"), data.get("step")) == (pressed.item_id, pressed.seat, pressed.q)
    return list(data.get("picked") or []) if same else []


@router.callback_query(AttCb.filter())
async def pressed(
    query: CallbackQuery,
    callback_data: AttCb,
    user: User,
    attendees: AttendeeService,
    cart: CartService,
    checkout: CheckoutService,
    pictures: TicketPictures,
    state: FSMContext,
    tz: ZoneInfo,
    callback_answer: CallbackAnswer,
    topup: TopUpService,
) -> None:
    data_cb = callback_data
    op = data_cb.op

    async def reply(text: str, kb) -> None:
        await show(query, text, kb)

    async def notice(text: str) -> None:
        callback_answer.text, callback_answer.show_alert = text, True

    if op == "cart":
        await state.clear()
        await reply(*cart_view.cart(await cart.view(user.id), tz))
        return
    if op == "go":
        await begin(query, state, attendees, user)
        return
    if op == "list":
        await state.clear()
        await reply(*view.seats(await attendees.cart(user.id)))
        return
    data = await state.get_data() if await state.get_state() == AttendeeForm.answering.state else {}
    try:
        if op == "edit":
            current = await attendees.cart(user.id)
            steps = _steps(current, data_cb.item_id, data_cb.seat)
            if not steps:
                raise AttendeeNotFound()
            await reply(*await _ask(state, current, (data_cb.item_id, data_cb.seat, steps[0]), {"editing": True}))
            return
        step = NAME if op == "me" else data_cb.q
        data = {**data, "item": data_cb.item_id, "seat": data_cb.seat, "step": step}
        if op == "me":
            current = await attendees.same_as_me(user.id, data_cb.item_id, data_cb.seat)
        elif op == "keep":
            current = await attendees.cart(user.id)
            if data_cb.item_id == BUYER:
                buyer_question(current, data_cb.seat, data_cb.q)
            else:
                seat_of(current, data_cb.item_id, data_cb.seat)
            data["step"] = data_cb.q or NAME
        elif op == "opt":
            current = await attendees.choose(user.id, data_cb.item_id, data_cb.seat, data_cb.q, [data_cb.v])
        elif op == "tog":
            picked = set(await _picked(state, data_cb)) ^ {data_cb.v}
            current = await attendees.cart(user.id)
            question = _question(current, data_cb.item_id, data_cb.seat, data_cb.q)
            if not 0 <= data_cb.v < len(question.options):
                raise AttendeeNotFound()
            await state.set_state(AttendeeForm.answering)
            data["picked"] = sorted(picked)
            await state.set_data(data)
            editing = bool(data.get("editing"))
            await reply(*_prompt(current, data_cb.item_id, data_cb.seat, question, editing, data["picked"]))
            return
        elif op == "done":
            picked = await _picked(state, data_cb)
            current = await attendees.choose(user.id, data_cb.item_id, data_cb.seat, data_cb.q, picked)
        elif op == "skip":
            current = await attendees.skip(user.id, data_cb.item_id, data_cb.seat, data_cb.q)
        else:
            callback_answer.text, callback_answer.show_alert = v._("error.stale_button"), True
            return
    except DomainError as error:
        await notice(v.render_error(error, html=False))
        return
    chat_id = query.message.chat.id if query.message else query.from_user.id
    paying = Paying(query.bot, chat_id, user, cart, checkout, pictures, tz, topup)
    await _next(state, current, data, reply, notice, paying)


@router.message(StateFilter(AttendeeForm.answering), F.text & ~F.text.startswith("/"))
async def typed(
    message: Message,
    user: User,
    attendees: AttendeeService,
    cart: CartService,
    checkout: CheckoutService,
    pictures: TicketPictures,
    state: FSMContext,
    tz: ZoneInfo,
    topup: TopUpService,
) -> None:
    data = await state.get_data()
    try:
        if data["step"] == NAME:
            current = await attendees.name(user.id, data["item"], data["seat"], message.text)
        else:
            current = await attendees.answer(user.id, data["item"], data["seat"], data["step"], message.text)
    except DomainError as error:
        await message.answer(v.render_error(error))
        return

    async def reply(text: str, kb) -> None:
        await message.answer(text, reply_markup=kb)

    async def notice(text: str) -> None:
        await message.answer(text)

    paying = Paying(message.bot, message.chat.id, user, cart, checkout, pictures, tz, topup)
    await _next(state, current, data, reply, notice, paying)


@router.message(StateFilter(AttendeeForm.answering), ~F.text)
async def not_text(message: Message) -> None:
    await message.answer(v._("attendee.type_please"))

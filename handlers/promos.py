"""Promo codes and automatic promotions of an organizer's event (from the event's menu), and the shop-wide
codes of admins (/promocodes): the lists, the dialogs that make a code (text, discount, what it applies
to) or a promotion (kind, name, then its kind's own steps), written whole at the end, and a card per code
or promotion where each option is changed on its own, and where it is withdrawn or restored. Every button
is checked again by the service: data can be forged."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from domain.models import User
from domain.promo_fields import CodeOption, Flag, PromotionOption
from domain.services.promo_editor import PromoEditor
from handlers.callbacks import (
    NewPromoCodeCb,
    NewPromotionCb,
    PromoCodeCb,
    PromoCodesCb,
    PromoCodeSetCb,
    PromoFormCb,
    PromotionCb,
    PromotionsCb,
    PromotionSetCb,
)
from handlers.editing import show
from handlers.views import base as v
from handlers.views import promos as view
from handlers.views.promos import (
    AMOUNT,
    CODE,
    CODE_TEXT,
    COUNT,
    DAYS,
    DISCOUNT,
    KIND,
    KINDS,
    NAME,
    NEW_CODE,
    NEW_PROMOTION,
    PERCENT,
    PROMOTION,
    SCOPE,
    TARIFF,
    TARIFF_A,
    TARIFF_B,
    TYPED,
    WEEKDAYS,
)

router = Router(name="promos")
FLAGS = {f.value for f in Flag}
CODE_OPTIONS = {o.value for o in CodeOption}
PROMOTION_OPTIONS = {o.value for o in PromotionOption}


class PromoForm(StatesGroup):
    filling = State()  # data: what (view.NEW_CODE ...), event_id (0: the shop's), target, step, values


def _steps(what: str, event_id: int, values: dict) -> tuple[str, ...]:
    return view.code_steps(shop=not event_id) if what == NEW_CODE else view.promotion_steps(values.get(KIND))


async def _prompt(promos: PromoEditor, user: User, what: str, event_id: int, step: str, values: dict):
    """One step of a making dialog; the event is checked again first (one's own, still editable)."""
    if what == NEW_CODE:
        found = await promos.begin_code(user, event_id or None)
    else:
        found = await promos.begin_promotion(user, event_id)
    title = found.event.title if found.event is not None else None
    return view.prompt(what, step, event_id, title, values, found.tariffs)


async def _ask(
    message: Message, state: FSMContext, promos: PromoEditor, user: User, what: str, event_id: int, step, values
) -> None:
    text, markup = await _prompt(promos, user, what, event_id, step, values)
    await state.set_state(PromoForm.filling)
    await state.set_data({"what": what, "event_id": event_id, "target": 0, "step": step, "values": values})
    await message.answer(text, reply_markup=markup)


async def _list(message: Message, promos: PromoEditor, user: User, what: str, event_id: int) -> None:
    if what in (NEW_CODE, CODE):
        text, markup = view.code_list(await promos.codes(user, event_id or None))
    else:
        text, markup = view.promotion_list(await promos.promotions(user, event_id))
    await message.answer(text, reply_markup=markup)


async def _card(message: Message, promos: PromoEditor, user: User, what: str, target: int, tz: ZoneInfo) -> None:
    if what in (NEW_CODE, CODE):
        text, markup = view.code_card(await promos.code(user, target), tz)
    else:
        text, markup = view.promotion_card(await promos.promotion(user, target), tz)
    await message.answer(text, reply_markup=markup)


async def _check(promos: PromoEditor, step: str, text: str):
    """A typed step's value as the dialog keeps it (the service reads it again when writing)."""
    if step == CODE_TEXT:
        return await promos.check_code(text)
    checks = {
        DISCOUNT: promos.check_discount,
        NAME: promos.check_name,
        COUNT: promos.check_min_tickets,
        PERCENT: promos.check_percent,
        AMOUNT: promos.check_amount,
        DAYS: promos.check_days,
    }
    return checks[step](text)


async def _advance(
    message: Message, state: FSMContext, promos: PromoEditor, user: User, tz: ZoneInfo, data: dict, values: dict
) -> None:
    """After a step: the next one, or (after the last) the code or promotion written whole, then its card."""
    what, event_id, step = data["what"], data["event_id"], data["step"]
    steps = _steps(what, event_id, values)
    position = steps.index(step) if step in steps else len(steps)
    if position + 1 < len(steps):
        await _ask(message, state, promos, user, what, event_id, steps[position + 1], values)
        return
    if what == NEW_CODE:
        rule = await promos.add_code(
            user, event_id or None, values.get(CODE_TEXT, ""), values.get(DISCOUNT, ""), values.get(SCOPE) or None
        )
        await state.clear()
        await message.answer(view.code_added(rule))
        await _card(message, promos, user, CODE, rule.id, tz)
        return
    promotion = await promos.add_promotion(
        user,
        event_id,
        values.get(KIND, ""),
        {
            "name": values.get(NAME, ""),
            "min_tickets": values.get(COUNT, ""),
            "percent": values.get(PERCENT, ""),
            "tariff_a": values.get(TARIFF_A),
            "tariff_b": values.get(TARIFF_B),
            "amount": values.get(AMOUNT, ""),
            "weekdays": values.get(WEEKDAYS) or [],
            "days": values.get(DAYS, ""),
            "tariff": values.get(TARIFF),
        },
    )
    await state.clear()
    await message.answer(view.promotion_added(promotion))
    await _card(message, promos, user, PROMOTION, promotion.id, tz)


# ---------------------------------------------------------------------------------------- lists, cards


@router.message(Command("promocodes"))
async def shop_codes(message: Message, user: User, promos: PromoEditor) -> None:
    """The shop-wide codes (admins only: the service refuses anyone else)."""
    text, markup = view.code_list(await promos.codes(user, None))
    await message.answer(text, reply_markup=markup)


@router.callback_query(PromoCodesCb.filter())
async def code_list(query: CallbackQuery, callback_data: PromoCodesCb, user: User, promos: PromoEditor) -> None:
    await show(query, *view.code_list(await promos.codes(user, callback_data.event_id or None)))


@router.callback_query(PromotionsCb.filter())
async def promotion_list(query: CallbackQuery, callback_data: PromotionsCb, user: User, promos: PromoEditor) -> None:
    await show(query, *view.promotion_list(await promos.promotions(user, callback_data.event_id)))


@router.callback_query(PromoCodeCb.filter())
async def code_card(query: CallbackQuery, callback_data: PromoCodeCb, user: User, promos: PromoEditor, tz: ZoneInfo):
    await show(query, *view.code_card(await promos.code(user, callback_data.code_id), tz))


@router.callback_query(PromotionCb.filter())
async def promotion_card(
    query: CallbackQuery, callback_data: PromotionCb, user: User, promos: PromoEditor, tz: ZoneInfo
) -> None:
    await show(query, *view.promotion_card(await promos.promotion(user, callback_data.promotion_id), tz))


@router.callback_query(NewPromoCodeCb.filter())
async def new_code(
    query: CallbackQuery, callback_data: NewPromoCodeCb, state: FSMContext, user: User, promos: PromoEditor
) -> None:
    await _ask(query.message, state, promos, user, NEW_CODE, callback_data.event_id, CODE_TEXT, {})


@router.callback_query(NewPromotionCb.filter())
async def new_promotion(
    query: CallbackQuery, callback_data: NewPromotionCb, state: FSMContext, user: User, promos: PromoEditor
) -> None:
    await _ask(query.message, state, promos, user, NEW_PROMOTION, callback_data.event_id, KIND, {})


# ------------------------------------------------------------------------------------ one option at a time


@router.callback_query(PromoCodeSetCb.filter())
async def code_option(
    query: CallbackQuery,
    callback_data: PromoCodeSetCb,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    user: User,
    promos: PromoEditor,
    tz: ZoneInfo,
) -> None:
    option, code_id = callback_data.option, callback_data.code_id
    if option in FLAGS:
        card, changed = await promos.switch_code(user, code_id, option, bool(callback_data.value))
        callback_answer.text = view.switched(Flag(option), bool(callback_data.value), changed)
        callback_answer.show_alert = True
        await show(query, *view.code_card(card, tz))
        return
    if option not in CODE_OPTIONS:
        callback_answer.text, callback_answer.show_alert = v._("error.stale_button"), True
        return
    card = await promos.code(user, code_id, editing=True)
    event_id = card.rule.event_id or 0
    await state.set_state(PromoForm.filling)
    await state.set_data({"what": CODE, "event_id": event_id, "target": code_id, "step": option, "values": {}})
    current = view.code_option_value(card, CodeOption(option), tz)
    text, markup = view.option_prompt(CODE, option, event_id, code_id, current)
    await query.message.answer(text, reply_markup=markup)


@router.callback_query(PromotionSetCb.filter())
async def promotion_option(
    query: CallbackQuery,
    callback_data: PromotionSetCb,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    user: User,
    promos: PromoEditor,
    tz: ZoneInfo,
) -> None:
    option, promotion_id = callback_data.option, callback_data.promotion_id
    if option in FLAGS:
        card, changed = await promos.switch_promotion(user, promotion_id, option, bool(callback_data.value))
        callback_answer.text = view.switched(Flag(option), bool(callback_data.value), changed)
        callback_answer.show_alert = True
        await show(query, *view.promotion_card(card, tz))
        return
    if option not in PROMOTION_OPTIONS:
        callback_answer.text, callback_answer.show_alert = v._("error.stale_button"), True
        return
    card = await promos.promotion(user, promotion_id, editing=True)
    event_id = card.rule.event_id
    await state.set_state(PromoForm.filling)
    await state.set_data(
        {"what": PROMOTION, "event_id": event_id, "target": promotion_id, "step": option, "values": {}}
    )
    current = view.promotion_option_value(card, PromotionOption(option), tz)
    text, markup = view.option_prompt(PROMOTION, option, event_id, promotion_id, current)
    await query.message.answer(text, reply_markup=markup)


# ------------------------------------------------------------------------------------------ the dialogs


@router.message(StateFilter(PromoForm.filling), Command("cancel"))
async def cancel_command(message: Message, state: FSMContext, user: User, promos: PromoEditor, tz: ZoneInfo):
    data = await state.get_data()
    await state.clear()
    if data.get("target"):
        await _card(message, promos, user, data["what"], data["target"], tz)
        return
    await message.answer(v._("promo.cancelled"))
    await _list(message, promos, user, data.get("what", NEW_CODE), data.get("event_id", 0))


@router.message(StateFilter(PromoForm.filling), F.text & ~F.text.startswith("/"))
async def typed(message: Message, state: FSMContext, user: User, promos: PromoEditor, tz: ZoneInfo) -> None:
    data = await state.get_data()
    what, step, values = data["what"], data["step"], dict(data.get("values") or {})
    if what == CODE:
        await promos.set_code(user, data["target"], step, message.text)
    elif what == PROMOTION:
        await promos.set_promotion(user, data["target"], step, message.text)
    if what in (CODE, PROMOTION):
        await state.clear()
        await message.answer(v._("promo.saved"))
        await _card(message, promos, user, what, data["target"], tz)
        return
    if step not in TYPED:
        await message.answer(v._("promo.use_buttons"))
        return
    values[step] = await _check(promos, step, message.text)
    await _advance(message, state, promos, user, tz, data, values)


@router.message(StateFilter(PromoForm.filling), ~F.text)
async def not_text(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    typed_step = data.get("target") or data.get("step") in TYPED
    await message.answer(v._("editor.text_expected" if typed_step else "promo.use_buttons"))


@router.callback_query(PromoFormCb.filter())
async def form_button(
    query: CallbackQuery,
    callback_data: PromoFormCb,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    user: User,
    promos: PromoEditor,
    tz: ZoneInfo,
) -> None:
    data = await state.get_data()
    current = await state.get_state() == PromoForm.filling.state and (
        data.get("event_id"),
        data.get("target"),
        data.get("step"),
    ) == (callback_data.event_id, callback_data.target, callback_data.step)
    if not current:
        callback_answer.text, callback_answer.show_alert = v._("editor.stale_step"), True
        return
    what, event_id, step, target = data["what"], data["event_id"], data["step"], data["target"]
    values, action, number = dict(data.get("values") or {}), callback_data.action, callback_data.number
    if action == "cancel":
        await state.clear()
        if target:
            await _card(query.message, promos, user, what, target, tz)
        else:
            await query.message.answer(v._("promo.cancelled"))
            await _list(query.message, promos, user, what, event_id)
    elif action == "clear" and target:
        if what == CODE:
            await promos.set_code(user, target, step, None)
        else:
            await promos.set_promotion(user, target, step, None)
        await state.clear()
        await query.message.answer(v._("promo.saved"))
        await _card(query.message, promos, user, what, target, tz)
    elif target:
        callback_answer.text, callback_answer.show_alert = v._("editor.stale_step"), True
    elif action == "back":
        steps = _steps(what, event_id, values)
        position = steps.index(step) if step in steps else 0
        if position == 0:  # Back from the first step: the list, nothing added
            await state.clear()
            await _list(query.message, promos, user, what, event_id)
        else:
            await _ask(query.message, state, promos, user, what, event_id, steps[position - 1], values)
    elif action == "kind" and what == NEW_PROMOTION and step == KIND and number < len(KINDS):
        if values.get(KIND) != KINDS[number].value:  # another kind: its own steps from scratch, the name kept
            values = {KIND: KINDS[number].value, NAME: values.get(NAME)} if values.get(NAME) else {}
            values[KIND] = KINDS[number].value
        await _advance(query.message, state, promos, user, tz, data, values)
    elif action == "tariff" and (what, step) in ((NEW_CODE, SCOPE), (NEW_PROMOTION, TARIFF), (NEW_PROMOTION, TARIFF_A)):
        values[step] = number
        await _advance(query.message, state, promos, user, tz, data, values)
    elif action == "tariff" and (what, step) == (NEW_PROMOTION, TARIFF_B) and number != values.get(TARIFF_A):
        values[step] = number
        await _advance(query.message, state, promos, user, tz, data, values)
    elif action == "day" and (what, step) == (NEW_PROMOTION, WEEKDAYS) and number < 7:
        days = set(values.get(WEEKDAYS) or [])
        days ^= {number}
        values[WEEKDAYS] = sorted(days)
        await state.update_data(values=values)
        await show(query, *await _prompt(promos, user, what, event_id, step, values))
    elif action == "done" and (what, step) == (NEW_PROMOTION, WEEKDAYS):
        if not values.get(WEEKDAYS):
            callback_answer.text, callback_answer.show_alert = v._("error.weekdays_empty"), True
            return
        await _advance(query.message, state, promos, user, tz, data, values)
    else:
        callback_answer.text, callback_answer.show_alert = v._("editor.stale_step"), True

"""Memberships: the customer's /membership (buy a plan once or with monthly renewal, cancel renewal) and the
admins' /plans (list, a short dialog that creates one, price, discount, categories, combinability, retire).
Every button is checked again by the services: a forged one naming another person's membership or a plan
not on sale changes nothing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from domain.errors import MembershipPlanNotFound, MembershipPlanRetired, NotAdmin
from domain.models import User
from domain.services.memberships import MembershipService, PlanEditor
from handlers.callbacks import (
    MembershipBuyCb,
    MembershipCancelCb,
    MembershipShowCb,
    NewPlanCb,
    PlanCategoriesCb,
    PlanEditCb,
    PlanFormCb,
    PlanListCb,
    PlanMenuCb,
    PlanRetireCb,
    PlanSetCb,
)
from handlers.editing import show
from handlers.views import base as v
from handlers.views import memberships as view
from handlers.views.memberships import CATEGORIES_STEP, COMBINABLE, DISCOUNT, NAME, PRICE, TYPED

router = Router(name="memberships")


class PlanForm(StatesGroup):
    filling = State()  # data: step, values (name, price minor units, basis points, categories)
    editing = State()  # data: plan_id, field (price | discount)


# ------------------------------------------------------------------------------------------ customer


@router.message(Command("membership"))
async def membership(message: Message, user: User, memberships: MembershipService, tz: ZoneInfo) -> None:
    text, markup = view.overview(await memberships.overview(user), tz)
    await message.answer(text, reply_markup=markup)


@router.callback_query(MembershipShowCb.filter())
async def show_membership(query: CallbackQuery, user: User, memberships: MembershipService, tz: ZoneInfo) -> None:
    await show(query, *view.overview(await memberships.overview(user), tz))


@router.callback_query(MembershipBuyCb.filter())
async def buy(
    query: CallbackQuery,
    callback_data: MembershipBuyCb,
    callback_answer: CallbackAnswer,
    user: User,
    memberships: MembershipService,
    tz: ZoneInfo,
) -> None:
    key = f"mb:{query.message.message_id if query.message else 0}:{callback_data.nonce}"
    purchase = await memberships.buy(user, callback_data.plan_id, bool(callback_data.renew), key)
    if purchase.duplicate:
        callback_answer.text, callback_answer.show_alert = view.already_bought(), True
    text, markup = view.status(purchase.membership, purchase.plan, tz, purchase.now)
    await show(query, view.bought(purchase, tz) + "\n\n" + text, markup)


@router.callback_query(MembershipCancelCb.filter())
async def cancel_renewal(
    query: CallbackQuery,
    callback_data: MembershipCancelCb,
    callback_answer: CallbackAnswer,
    user: User,
    memberships: MembershipService,
    tz: ZoneInfo,
) -> None:
    """First press: what cancelling means (no refund, active to the end of the period). Yes: renewal off."""
    if not callback_data.confirm:
        held = await memberships.membership(user, callback_data.membership_id)
        if held.membership.renew:
            await show(query, *view.cancel_confirmation(held, tz))
            return
        callback_answer.text, callback_answer.show_alert = view.cancelled(held, tz), True
        await show(query, *view.held_status(held, tz))
        return
    held = await memberships.cancel_renewal(user, callback_data.membership_id)
    callback_answer.text, callback_answer.show_alert = view.cancelled(held, tz), True
    await show(query, *view.held_status(held, tz))


# --------------------------------------------------------------------------------------------- admin


async def _send_list(message: Message, user: User, plans: PlanEditor) -> None:
    text, markup = view.plan_list(await plans.plans(user))
    await message.answer(text, reply_markup=markup)


async def _send_menu(message: Message, plan) -> None:
    text, markup = view.plan_menu(plan)
    await message.answer(text, reply_markup=markup)


@router.message(StateFilter(PlanForm.filling, PlanForm.editing), Command("cancel"))
async def cancel_dialog(message: Message, state: FSMContext, user: User, plans: PlanEditor) -> None:
    await state.clear()
    await message.answer(v._("plans.cancelled"))
    await _send_list(message, user, plans)


@router.message(Command("plans"))
async def plan_list(message: Message, state: FSMContext, user: User, plans: PlanEditor) -> None:
    found = await plans.plans(user)  # admins only: anyone else is refused here
    await state.clear()
    text, markup = view.plan_list(found)
    await message.answer(text, reply_markup=markup)


@router.callback_query(PlanListCb.filter())
async def plan_list_button(query: CallbackQuery, state: FSMContext, user: User, plans: PlanEditor) -> None:
    found = await plans.plans(user)
    await state.clear()
    await show(query, *view.plan_list(found))


@router.callback_query(PlanMenuCb.filter())
async def plan_menu(query: CallbackQuery, callback_data: PlanMenuCb, user: User, plans: PlanEditor) -> None:
    await show(query, *view.plan_menu(await plans.plan(user, callback_data.plan_id)))


@router.callback_query(NewPlanCb.filter())
async def new_plan(query: CallbackQuery, state: FSMContext, user: User, plans: PlanEditor) -> None:
    plans.ensure_admin(user)
    await _ask(query.message, state, plans, NAME, {})


async def _ask(message: Message, state: FSMContext, plans: PlanEditor, step: str, values: dict) -> None:
    await state.set_state(PlanForm.filling)
    await state.set_data({"step": step, "values": values})
    text, markup = view.form_prompt(step, values, plans.currency)
    await message.answer(text, reply_markup=markup)


@router.message(StateFilter(PlanForm.filling), F.text & ~F.text.startswith("/"))
async def typed_step(message: Message, state: FSMContext, user: User, plans: PlanEditor) -> None:
    data = await state.get_data()
    step, values = data.get("step"), dict(data.get("values") or {})
    if step not in TYPED:
        await message.answer(v._("plans.use_buttons"))
        return
    # A refusal is answered by the error middleware; the step stays, to be typed again.
    if step == NAME:
        values[NAME], following = plans.check_name(message.text), PRICE
    elif step == PRICE:
        values[PRICE], following = plans.check_price(message.text).minor, DISCOUNT
    else:
        values[DISCOUNT], following = plans.check_discount(message.text), CATEGORIES_STEP
    await _ask(message, state, plans, following, values)


@router.message(StateFilter(PlanForm.filling, PlanForm.editing), ~F.text)
async def not_text(message: Message) -> None:
    await message.answer(v._("editor.text_expected"))


@router.callback_query(PlanFormCb.filter())
async def form_button(
    query: CallbackQuery,
    callback_data: PlanFormCb,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    user: User,
    plans: PlanEditor,
) -> None:
    data = await state.get_data()
    step, values = data.get("step"), dict(data.get("values") or {})
    if await state.get_state() != PlanForm.filling.state or step != callback_data.step:
        callback_answer.text, callback_answer.show_alert = v._("editor.stale_step"), True
        return
    action = callback_data.action
    if action == "cancel":
        await state.clear()
        await show(query, v._("plans.cancelled"), None)
        await _send_list(query.message, user, plans)
    elif action == "cat" and step == CATEGORIES_STEP:
        chosen = set(values.get("categories") or [])
        chosen = chosen | {callback_data.value} if callback_data.on else chosen - {callback_data.value}
        values["categories"] = sorted(chosen)
        await state.set_data({"step": step, "values": values})
        await show(query, *view.form_prompt(step, values, plans.currency))
    elif action == "done" and step == CATEGORIES_STEP:
        await _ask(query.message, state, plans, COMBINABLE, values)
    elif action == "comb" and step == COMBINABLE:
        plan = await plans.create(
            user,
            values.get(NAME, ""),
            values.get(PRICE, 0),
            values.get(DISCOUNT, 0),
            values.get("categories") or [],
            bool(callback_data.on),
        )
        await state.clear()
        await query.message.answer(view.created(plan))
        await _send_menu(query.message, plan)
    else:
        callback_answer.text, callback_answer.show_alert = v._("editor.stale_step"), True


@router.callback_query(PlanEditCb.filter(F.field.in_({PRICE, DISCOUNT})))
async def edit_plan(
    query: CallbackQuery, callback_data: PlanEditCb, state: FSMContext, user: User, plans: PlanEditor
) -> None:
    plan = await plans.plan(user, callback_data.plan_id)
    await state.set_state(PlanForm.editing)
    await state.set_data({"plan_id": plan.id, "field": callback_data.field})
    await query.message.answer(view.edit_prompt(plan, callback_data.field, plans.currency))


@router.message(StateFilter(PlanForm.editing), F.text & ~F.text.startswith("/"))
async def typed_edit(message: Message, state: FSMContext, user: User, plans: PlanEditor) -> None:
    data = await state.get_data()
    plan_id = int(data.get("plan_id", 0))
    try:  # a value refused is typed again; a plan gone or retired meanwhile ends the step
        if data.get("field") == PRICE:
            plan = await plans.set_price(user, plan_id, message.text)
        else:
            plan = await plans.set_discount(user, plan_id, message.text)
    except (MembershipPlanNotFound, MembershipPlanRetired, NotAdmin):
        await state.clear()
        raise
    await state.clear()
    await message.answer(v._("plans.saved"))
    await _send_menu(message, plan)


@router.callback_query(PlanCategoriesCb.filter())
async def plan_categories(query: CallbackQuery, callback_data: PlanCategoriesCb, user: User, plans: PlanEditor):
    await show(query, *view.plan_categories(await plans.plan(user, callback_data.plan_id)))


@router.callback_query(PlanSetCb.filter())
async def plan_set(
    query: CallbackQuery, callback_data: PlanSetCb, callback_answer: CallbackAnswer, user: User, plans: PlanEditor
) -> None:
    if callback_data.what == "cat":
        plan = await plans.set_category(user, callback_data.plan_id, callback_data.value, bool(callback_data.on))
        await show(query, *view.plan_categories(plan))
    elif callback_data.what == "comb":
        plan = await plans.set_combinable(user, callback_data.plan_id, bool(callback_data.on))
        await show(query, *view.plan_menu(plan))
    else:
        callback_answer.text, callback_answer.show_alert = v._("error.stale_button"), True


@router.callback_query(PlanRetireCb.filter())
async def retire(
    query: CallbackQuery, callback_data: PlanRetireCb, callback_answer: CallbackAnswer, user: User, plans: PlanEditor
) -> None:
    """First press: what retiring means (no new buyers; members keep theirs). Yes: retired."""
    if not callback_data.confirm:
        plan = await plans.plan(user, callback_data.plan_id)
        if not plan.retired:
            await show(query, *view.retire_confirmation(plan))
            return
        callback_answer.text, callback_answer.show_alert = view.retired(plan, now=False), True
        await show(query, *view.plan_menu(plan))
        return
    plan, changed = await plans.retire(user, callback_data.plan_id)
    callback_answer.text, callback_answer.show_alert = view.retired(plan, changed), True
    await show(query, *view.plan_menu(plan))

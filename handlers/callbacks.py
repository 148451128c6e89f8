"""Callback data factories. Every field is re-checked by the services: data can be forged."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# Forged data may carry any number: out of range it does not unpack, and the fallback calls it stale.
Id = Annotated[int, Field(ge=0, lt=2**31)]
Small = Annotated[int, Field(ge=0, le=10_000)]


class SearchPageCb(CallbackData, prefix="sp"):
    search_id: Id
    page: Small


class SearchFilterCb(CallbackData, prefix="sf"):
    """The whole filter to apply to a saved search's query ("" for none); the service re-checks both."""

    search_id: Id
    category: Annotated[str, Field(max_length=16)] = ""
    period: Annotated[str, Field(max_length=10)] = ""


class SearchCategoriesCb(CallbackData, prefix="sc"):
    search_id: Id


class SearchDayCb(CallbackData, prefix="sd"):
    search_id: Id


class EventCb(CallbackData, prefix="ev"):
    event_id: Id
    back: Small = 0  # 1: redraw in place (coming back from the tariff picker); 0: a new card message


class TariffCb(CallbackData, prefix="tt"):
    ticket_type_id: Id
    qty: Small


class AddCb(CallbackData, prefix="add"):
    ticket_type_id: Id
    qty: Small
    nonce: Annotated[str, Field(max_length=16)]  # one per drawn keyboard: a double tap adds once


class CartCb(CallbackData, prefix="ct"):
    op: str  # show | inc | dec | rm | renew | terms | code
    item_id: Id = 0
    version: Id = 0


class PayCb(CallbackData, prefix="pay"):
    version: Id
    terms: Annotated[str, Field(pattern="^[0-9a-f]{16}$")]  # digest of the conditions shown (domain.terms)
    total: Annotated[int, Field(ge=0, le=10**15)]  # the total on the button, minor units: charged only if still so


class TopUpCb(CallbackData, prefix="tu"):
    """/wallet's 💳 Top up: op menu (the amounts), other (type one), pay (an invoice for `amount`)."""

    op: str
    amount: Annotated[int, Field(ge=0, le=10**15)] = 0  # minor units


class CodeCb(CallbackData, prefix="pcr"):
    """✖ under the cart: take this promo code out of it."""

    code: Annotated[str, Field(pattern="^[A-Z0-9_-]{1,32}$")]
    version: Id


class AttCb(CallbackData, prefix="ad"):
    """The attendee dialog: op go | list | edit | me | keep | opt | tog | done | skip | cart."""

    op: str
    item_id: Id = 0
    seat: Id = 0
    q: Id = 0  # a question id
    v: Id = 0  # an option's index (yes/no: 0 yes, 1 no)


class TicketQrCb(CallbackData, prefix="qr"):
    ticket_id: Id


class TicketRenameCb(CallbackData, prefix="tn"):
    ticket_id: Id


class OrdersPageCb(CallbackData, prefix="ol"):
    page: Annotated[int, Field(ge=0, le=100_000)]


class TicketsPageCb(CallbackData, prefix="tp"):
    page: Small


class CheckinCb(CallbackData, prefix="ci"):
    ticket_id: Id


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class OrganizerDecisionCb(CallbackData, prefix="od"):
    request_id: Id
    approve: Annotated[int, Field(ge=0, le=1)]


class OrganizerEventsPageCb(CallbackData, prefix="oe"):
    page: Small


class EventFormCb(CallbackData, prefix="ef"):
    """A button under a step of the event dialog; it names its event and step, so a button of an earlier
    step (or another dialog) is told apart from the current one."""

    action: str  # skip | back | cancel | cat
    event_id: Id
    field: Annotated[str, Field(max_length=16)]
    value: Annotated[str, Field(max_length=16)] = ""


class EventMenuCb(CallbackData, prefix="em"):
    event_id: Id


class EventEditCb(CallbackData, prefix="ee"):
    event_id: Id
    field: Annotated[str, Field(max_length=16)]


class NewEventCb(CallbackData, prefix="ne"):
    pass


class TariffListCb(CallbackData, prefix="tl"):
    event_id: Id


class NewTariffCb(CallbackData, prefix="nt"):
    event_id: Id


class TariffMenuCb(CallbackData, prefix="tm"):
    ticket_type_id: Id


class TariffEditCb(CallbackData, prefix="te"):
    ticket_type_id: Id
    field: Annotated[str, Field(max_length=16)]


class TariffFormCb(CallbackData, prefix="tf"):
    """A button under a step of the tariff dialog, naming its event, tariff (0 while creating) and step."""

    action: str  # skip | back | cancel
    event_id: Id
    ticket_type_id: Id
    field: Annotated[str, Field(max_length=16)]


class PublishCb(CallbackData, prefix="pb"):
    event_id: Id


class CancelEventCb(CallbackData, prefix="ce"):
    event_id: Id
    confirm: Annotated[int, Field(ge=0, le=1)] = 0


class StaffListCb(CallbackData, prefix="sl"):
    event_id: Id


class StaffAddCb(CallbackData, prefix="sa"):
    event_id: Id


class StaffInviteCb(CallbackData, prefix="si"):
    event_id: Id


class StaffRemoveCb(CallbackData, prefix="sr"):
    event_id: Id
    user_id: Id


class DoorRefreshCb(CallbackData, prefix="dr"):
    pass


class ReportCb(CallbackData, prefix="rp"):
    event_id: Id


class AttendeesCb(CallbackData, prefix="at"):
    event_id: Id


class BroadcastStartCb(CallbackData, prefix="bs"):
    event_id: Id


class BroadcastSendCb(CallbackData, prefix="bx"):
    broadcast_id: Id


class PromoCodesCb(CallbackData, prefix="opc"):
    """The promo codes of an event; event_id 0: the shop's own (admins)."""

    event_id: Id


class NewPromoCodeCb(CallbackData, prefix="opn"):
    event_id: Id  # 0: a shop-wide code


class PromoCodeCb(CallbackData, prefix="opd"):
    code_id: Id


class PromoCodeSetCb(CallbackData, prefix="ops"):
    """One option of a code: a typed one opens its prompt; a switch (comb, active) sets the value it names."""

    code_id: Id
    option: Annotated[str, Field(max_length=8)]
    value: Annotated[int, Field(ge=0, le=1)] = 0


class PromotionsCb(CallbackData, prefix="opl"):
    event_id: Id


class NewPromotionCb(CallbackData, prefix="opp"):
    event_id: Id


class PromotionCb(CallbackData, prefix="opv"):
    promotion_id: Id


class PromotionSetCb(CallbackData, prefix="opt"):
    promotion_id: Id
    option: Annotated[str, Field(max_length=8)]
    value: Annotated[int, Field(ge=0, le=1)] = 0


class PromoFormCb(CallbackData, prefix="opf"):
    """A button under a step of the code or promotion dialog, naming what the dialog is about (its event,
    or the code or promotion whose option is being typed) and its step, so a button of an earlier step or
    another dialog is told apart from the current one; number carries the choice (a tariff's id, a kind's
    or a weekday's index)."""

    action: Annotated[str, Field(max_length=8)]  # kind | tariff | day | done | clear | back | cancel
    event_id: Id  # 0: the shop's codes
    target: Id = 0  # the code's or promotion's id when one option is typed; 0 while making one
    step: Annotated[str, Field(max_length=8)]
    number: Id = 0


class QuestionListCb(CallbackData, prefix="oql"):
    """The attendee questions of an organizer's event."""

    event_id: Id


class NewQuestionCb(CallbackData, prefix="oqn"):
    event_id: Id


class QuestionFormCb(CallbackData, prefix="oqf"):
    """A button under a step of the question dialog, naming its event and step, so a button of an earlier
    step (or of another dialog) is told apart from the current one; kind and number carry the choice."""

    action: Annotated[str, Field(max_length=8)]  # kind | req | scope | buyer | back | cancel
    event_id: Id
    step: Annotated[str, Field(max_length=8)]
    kind: Annotated[str, Field(max_length=8)] = ""
    number: Id = 0  # req: 1 required, 0 optional; scope: a tariff's id, 0 for every tariff


class QuestionRemoveCb(CallbackData, prefix="oqd"):
    question_id: Id
    confirm: Annotated[int, Field(ge=0, le=1)] = 0


class QuestionAskedCb(CallbackData, prefix="oqa"):
    """Sets (not flips) whom a question is asked of: per_order 1 the buyer, once per order; 0 every attendee."""

    question_id: Id
    per_order: Annotated[int, Field(ge=0, le=1)]


class NamesChangeableCb(CallbackData, prefix="onc"):
    """Sets (not flips) whether buyers may change attendee names after paying: a second press is a no-op."""

    event_id: Id
    changeable: Annotated[int, Field(ge=0, le=1)]


class MembershipBuyCb(CallbackData, prefix="mb"):
    """Buy a plan's first period (renew 1: then monthly); the nonce is one per drawn keyboard, so a double
    tap or a replayed press buys once."""

    plan_id: Id
    renew: Annotated[int, Field(ge=0, le=1)]
    nonce: Annotated[str, Field(max_length=16)]


class MembershipCancelCb(CallbackData, prefix="mx"):
    """Cancel renewal: the first press asks, confirm=1 does it."""

    membership_id: Id
    confirm: Annotated[int, Field(ge=0, le=1)] = 0


class MembershipShowCb(CallbackData, prefix="ms"):
    pass


class PlanListCb(CallbackData, prefix="mpl"):
    pass


class PlanMenuCb(CallbackData, prefix="mpm"):
    plan_id: Id


class NewPlanCb(CallbackData, prefix="mpn"):
    pass


class PlanEditCb(CallbackData, prefix="mpe"):
    """Ask for a typed value of a plan: field price | discount."""

    plan_id: Id
    field: Annotated[str, Field(max_length=8)]


class PlanCategoriesCb(CallbackData, prefix="mpc"):
    plan_id: Id


class PlanSetCb(CallbackData, prefix="mps"):
    """Sets (not flips) a plan's value: what cat (value: the category, on: covered) or comb (on)."""

    plan_id: Id
    what: Annotated[str, Field(max_length=4)]
    value: Annotated[str, Field(max_length=16)] = ""
    on: Annotated[int, Field(ge=0, le=1)] = 0


class PlanRetireCb(CallbackData, prefix="mpr"):
    plan_id: Id
    confirm: Annotated[int, Field(ge=0, le=1)] = 0


class PlanFormCb(CallbackData, prefix="mpf"):
    """A button under a step of the new-plan dialog, naming its step: cat (value, on) | done | comb (on) |
    cancel."""

    action: Annotated[str, Field(max_length=8)]
    step: Annotated[str, Field(max_length=8)]
    value: Annotated[str, Field(max_length=16)] = ""
    on: Annotated[int, Field(ge=0, le=1)] = 0

"""Checkout: the cart becomes a paid order with tickets in one atomic step, or nothing changes."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import Clock
from domain.codes import ticket_payload
from domain.errors import (
    AttendeesMissing,
    BuyerAnswersMissing,
    CartChanged,
    CartEmpty,
    CodeUsedUp,
    DuplicateOperation,
    HoldExpired,
    NotEnoughMoney,
    PriceChanged,
    TermsNotAccepted,
)
from domain.models import Acceptance, EntryKind, ItemState, Order, OrderLine, OrderStatus, Ticket, User
from domain.money import Money
from domain.policies import HoldPolicy
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.pricing import split_per_ticket
from domain.services.cart import build_cart_view, release_expired_holds
from domain.services.tickets import issue_ticket
from domain.views import PurchaseResult, TicketView


def checkout_key(cart_id: int, version: int) -> str:
    """The Pay button names the cart version it was shown for: pressing it twice pays once."""
    return f"checkout:{cart_id}:{version}"


class CheckoutService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, policy: HoldPolicy, currency: str) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy
        self._currency = currency

    async def pay_from_wallet(
        self, user_id: int, cart_version: int, accepted: str, shown_total: int | None = None
    ) -> PurchaseResult:
        """`accepted`: the digest of the conditions the Pay button was drawn with (CartView.terms); pressing it
        accepts them, and the acceptance is kept with the order. `shown_total`: the total (minor units) on the
        button: a code used up or a promotion ended since it was drawn changes the price without changing the
        cart, and the customer is then asked again rather than charged a sum they did not see."""
        try:
            return await self._pay(user_id, cart_version, accepted, shown_total)
        except DuplicateOperation:
            # A concurrent press of the same button committed first: report its order.
            async with self._uow(write=False) as uow:
                cart = await uow.carts.for_user(user_id, self._clock.now())
                existing = await uow.orders.by_key(checkout_key(cart.id, cart_version))
                if existing is None:
                    raise
                return await self._result(uow, existing, already_paid=True)

    async def _pay(self, user_id: int, cart_version: int, accepted: str, shown_total: int | None) -> PurchaseResult:
        now = self._clock.now()
        async with self._uow() as uow:
            # The cart row stays locked until commit: no ➕, ➖ or add of the same user can slip in
            # between the total we charge and the tickets we issue.
            cart = await uow.carts.for_user(user_id, now, lock=True)
            key = checkout_key(cart.id, cart_version)
            existing = await uow.orders.by_key(key)
            if existing is not None:
                return await self._result(uow, existing, already_paid=True)
            if cart.version != cart_version:
                raise CartChanged()
            if await release_expired_holds(uow, now, cart=cart):
                await uow.carts.bump_version(cart.id)
                await uow.commit()
                raise HoldExpired()
            view = await build_cart_view(uow, user_id, now, self._currency, self._policy, cart)
            if not view.ready:
                raise CartEmpty()
            if accepted != view.terms:  # an organizer changed the conditions since the button was drawn, or forged
                raise TermsNotAccepted()
            if view.attendees_missing:
                if not view.tickets_missing:  # only the buyer's own answers (questions asked once per order)
                    raise BuyerAnswersMissing()
                raise AttendeesMissing(missing_tickets=view.tickets_missing)
            if shown_total is not None and view.total.minor != shown_total:
                raise PriceChanged(shown=Money(shown_total, self._currency), total=view.total)
            acceptance = Acceptance(view.terms, view.conditions.snapshot(), now)
            paid = Order(0, user_id, OrderStatus.PAID, view.total, now, paid_at=now, acceptance=acceptance)
            paid.buyer_answers = view.buyer_answers  # the answers asked once per order, as the cart had them
            order = await uow.orders.add(paid, key, cart.id)
            balance = None
            if view.total.is_positive:
                entry = await uow.wallets.apply(
                    user_id, -view.total, EntryKind.PURCHASE, f"order:{order.id}", now, order_id=order.id, new_key=True
                )
                if entry is None:
                    balance = await uow.wallets.balance(user_id, self._currency)
                    raise NotEnoughMoney(total=view.total, balance=balance, missing=view.total - balance)
                balance = entry.balance_after
            # The view was built from this very cart, whose row is locked: every ready line is one of its items,
            # as read, and names a tariff (a line without one is unavailable, not ready).
            items = {i.id: i for i in cart.items}
            issued = []
            # Quota rows in ticket-type order, as in every other path: concurrent checkouts never deadlock.
            for line in sorted(view.ready, key=lambda ln: (ln.ticket_type_id, ln.item_id)):
                item = items[line.item_id]
                claimed = await uow.carts.transition(item.id, ItemState.HELD, ItemState.ORDERED, now, qty=line.qty)
                if not claimed or not await uow.inventory.sell_held(item.ticket_type_id, line.qty):
                    raise HoldExpired()
                order_line = await uow.orders.add_line(
                    OrderLine(
                        0,
                        order.id,
                        item.kind,
                        item.qty,
                        item.unit_price,
                        item.event_id,
                        item.ticket_type_id,
                        line.event_title,
                        line.tariff,
                        total=line.paid,
                        discounts=line.discounts,
                    )
                )
                order.lines.append(order_line)
                prices = split_per_ticket(line.paid, line.qty)
                for seat, price in zip(line.attendees, prices, strict=True):  # one attendee per ticket, as read
                    ticket = await issue_ticket(
                        uow,
                        order.id,
                        item.event_id,
                        item.ticket_type_id,
                        user_id,
                        seat.name,
                        now,
                        seat.answers,
                        price.minor,
                    )
                    issued.append(ticket)
            await uow.orders.add_discounts(order.lines)
            # A code's use is counted now, when the order is paid. Its row is locked by the first order to
            # count it: a second order wanting the same last use waits, then finds it gone and pays nothing.
            for code in sorted(view.pricing.codes if view.pricing else ()):
                if not await uow.promotions.take_use(view.code_ids[code], order.id, user_id, now):
                    raise CodeUsedUp(code=code)
            await uow.carts.bump_version(cart.id, codes=(), buyer_answers={})
            result = await self._result(uow, order, already_paid=False, tickets=issued, balance=balance)
            await uow.commit()
            return result

    async def mark_delivered(self, user_id: int, order_id: int) -> None:
        """Every ticket message of the order went out; a replayed Pay press will not send them again."""
        async with self._uow(urgent=True) as uow:
            await uow.orders.mark_delivered(order_id, user_id, self._clock.now())
            await uow.commit()

    async def undelivered(self, older_than: timedelta, limit: int = 50) -> list[tuple[PurchaseResult, User]]:
        """Paid orders whose ticket messages did not all go out (Telegram refused, the network broke)
        a while ago, with their buyer: the delivery sweep sends them. Younger ones are still being sent
        by the handler that took the payment."""
        async with self._uow(write=False) as uow:
            orders = await uow.orders.undelivered(self._clock.now() - older_than, limit)
            found = []
            for order in orders:  # orders.user_id is a foreign key and users are never deleted
                buyer = await uow.users.get(order.user_id)
                found.append((await self._result(uow, order, already_paid=True), buyer))
        return found

    async def _result(
        self,
        uow: UnitOfWork,
        order: Order,
        already_paid: bool,
        tickets: list[Ticket] | None = None,
        balance: Money | None = None,
    ) -> PurchaseResult:
        """`tickets` and `balance` when the caller has just issued them and debited the wallet."""
        if tickets is None:
            tickets = await uow.tickets.of_order(order.id)
        offers = await uow.events.offers([t.ticket_type_id for t in tickets])
        views = []
        for ticket in tickets:  # a ticket's tariff and event always exist: neither is ever deleted
            tt, event = offers[ticket.ticket_type_id]
            views.append(TicketView(ticket, event, tt.name, ticket_payload(ticket.secret)))
        if balance is None:
            balance = await uow.wallets.balance(order.user_id, self._currency)
        return PurchaseResult(order, views, already_paid=already_paid, balance=balance)

"""The cart: one per user, holding quota while the person decides."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.attendees import buyer_questions
from domain.clock import Clock
from domain.errors import CartChanged, CartItemNotFound, ConcurrencyConflict, EventNotFound, EventNotOnSale, SoldOut
from domain.models import Attendee, Cart, CartItem, EventStatus, ItemKind, ItemState, UnavailableReason
from domain.money import Money
from domain.policies import HoldPolicy
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.pricing import PricedCart, TicketLine, price_cart
from domain.terms import conditions_of
from domain.views import CartLine, CartView


async def release_expired_holds(
    uow: UnitOfWork, now: datetime, cart_id: int | None = None, cart: Cart | None = None
) -> int:
    """Return expired holds to sale. Each item flips state conditionally, so a concurrent checkout
    or a second sweep can never release the same quota twice. Given the cart just read (and locked) in
    this transaction, a cart with nothing expired costs no statement."""
    if cart is not None:
        if not any(i.state is ItemState.HELD and not i.hold_active(now) for i in cart.items):
            return 0
        cart_id = cart.id
    released = 0
    # Quota rows are always locked in ticket-type order, in every path, so two transactions never deadlock.
    expired = sorted(await uow.carts.expired_holds(now, cart_id), key=lambda i: (i.ticket_type_id or 0, i.id))
    for item in expired:
        if await uow.carts.transition(item.id, ItemState.HELD, ItemState.EXPIRED, now, qty=item.qty):
            if item.ticket_type_id is not None:
                await uow.inventory.release(item.ticket_type_id, item.qty)
            released += 1
    return released


async def build_cart_view(
    uow: UnitOfWork, user_id: int, now: datetime, currency: str, policy: HoldPolicy, cart: Cart | None = None
) -> CartView:
    """`cart` when the caller has just read it in this transaction and changed nothing since. The ready lines
    are priced by the one pricing function (domain.pricing) with the events' promotions and the cart's codes:
    what the cart shows is what checkout, under the cart's lock, charges."""
    if cart is None:
        cart = await uow.carts.for_user(user_id, now)
    live = [i for i in cart.items if i.state in (ItemState.HELD, ItemState.EXPIRED)]
    offers, asking, promoting = await uow.events.cart_offers(
        [i.ticket_type_id for i in live if i.ticket_type_id is not None]
    )
    held = [i for i in live if i.state is ItemState.HELD]
    given = await uow.attendees.of_items([i.id for i in held]) if held else {}
    ask = list({i.event_id for i in held if i.event_id in asking})
    asked = await uow.attendees.questions(ask) if ask else {}
    ready: list[CartLine] = []
    unavailable: list[CartLine] = []
    for item in live:
        tt, event = offers.get(item.ticket_type_id, (None, None))
        reason = _unavailable_reason(item, event, tt, now)
        line = CartLine(
            item_id=item.id,
            event_id=item.event_id,
            event_title=event.title if event else "",
            event_starts_at=event.starts_at if event else None,
            tariff=tt.name if tt else "",
            qty=item.qty,
            unit_price=item.unit_price,
            subtotal=item.subtotal,
            held_until=item.held_until if reason is None else None,
            reason=reason,
            ticket_type_id=item.ticket_type_id,
        )
        if reason is None:
            of_event = asked.get(item.event_id, [])
            questions = tuple(q for q in of_event if not q.per_order and q.applies_to(item.ticket_type_id))
            seats = tuple(given.get((item.id, n), Attendee(item.id, n)) for n in range(item.qty))
            line = replace(line, attendees=seats, questions=questions)
        (ready if reason is None else unavailable).append(line)
    conditions = conditions_of(offers[line.ticket_type_id][1] for line in ready)
    if not ready:
        return CartView(
            cart.id, cart.version, ready, unavailable, Money.zero(currency), policy.max_per_order, conditions,
            codes=cart.codes,
        )  # fmt: skip
    priced, withdrawn, code_ids = await _price(uow, user_id, now, currency, policy, cart, ready, offers, promoting)
    by_id = {line.id: line for line in priced.lines}
    ready = [replace(line, discounts=by_id[line.item_id].discounts, total=by_id[line.item_id].total) for line in ready]
    of_buyer = buyer_questions(asked, [(line.event_id, line.ticket_type_id) for line in ready])
    buyer = {q.id: cart.buyer_answers[q.id] for q in of_buyer if q.id in cart.buyer_answers}
    return CartView(
        cart.id, cart.version, ready, unavailable, priced.total, policy.max_per_order, conditions,
        pricing=priced, codes=cart.codes, withdrawn=withdrawn, code_ids=code_ids,
        buyer_questions=of_buyer, buyer_answers=buyer,
    )  # fmt: skip


async def _price(
    uow: UnitOfWork,
    user_id: int,
    now: datetime,
    currency: str,
    policy: HoldPolicy,
    cart: Cart,
    ready: list[CartLine],
    offers: dict,
    promoting: set[int],
) -> tuple[PricedCart, frozenset[str], dict[str, int]]:
    """The ready lines priced; and the cart's codes that no longer exist or were switched off (not priced)."""
    lines = []
    for line in ready:
        event = offers[line.ticket_type_id][1]
        lines.append(
            TicketLine(
                id=line.item_id,
                tariff_id=line.ticket_type_id,
                event_id=event.id,
                category=event.category,
                event_start=event.starts_at,
                unit_price=line.unit_price,
                qty=line.qty,
            )
        )
    promoted = list({line.event_id for line in lines if line.event_id in promoting})
    promotions = await uow.promotions.for_events(promoted) if promoted else []
    stored = await uow.promotions.in_cart(list(cart.codes), user_id) if cart.codes else {}
    codes = [entry.rule.priced(entry.person_uses) for entry in stored.values() if entry.rule.active]
    withdrawn = frozenset(code for code in cart.codes if code not in stored or not stored[code].rule.active)
    priced = price_cart(
        lines,
        now=now,
        currency=currency,
        codes=codes,
        promotions=[promotion.priced(policy.tz) for promotion in promotions],
        membership=await uow.memberships.active_for(user_id, now) if cart.member else None,
    )
    return priced, withdrawn, {code: entry.rule.id for code, entry in stored.items()}


def _unavailable_reason(item: CartItem, event, tt, now: datetime) -> UnavailableReason | None:
    if event is None or tt is None or event.status is EventStatus.CANCELLED:
        return UnavailableReason.EVENT_CANCELLED
    if event.status is not EventStatus.PUBLISHED or event.starts_at <= now:
        return UnavailableReason.EVENT_STARTED
    if not tt.sales_open(now):
        return UnavailableReason.SALES_CLOSED
    if not item.hold_active(now):
        return UnavailableReason.HOLD_EXPIRED
    return None


async def _ensure_still_on_sale(uow: UnitOfWork, event) -> None:
    """After holding: an event cancelled while this hold was being taken. The cancel locks the quota rows
    the hold just waited for, so this read comes after the cancel's commit and sees it."""
    if await uow.events.status_of(event.id) is not EventStatus.PUBLISHED:
        raise EventNotOnSale(event=event.title)


class CartService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, policy: HoldPolicy, currency: str) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy
        self._currency = currency

    async def add_tickets(self, user_id: int, ticket_type_id: int, qty: int, op_key: str | None = None) -> CartView:
        """op_key names the button press: the same press arriving twice adds once."""
        now = self._clock.now()
        view = await self._add(user_id, ticket_type_id, qty, op_key, now, expired_ok=False)
        if view is None:
            await self._release_own_expired(user_id, now)
            view = await self._add(user_id, ticket_type_id, qty, op_key, now, expired_ok=True)
        assert view is not None
        return view

    async def _add(
        self, user_id: int, ticket_type_id: int, qty: int, op_key: str | None, now: datetime, expired_ok: bool
    ) -> CartView | None:
        """None, having changed nothing, when the cart holds expired holds: releasing them locks their
        quota rows, and holding the new ticket in the same transaction would lock another quota row out
        of id order, so they go back in a transaction of their own first (rare: the sweep is quicker)."""
        async with self._uow() as uow:
            tt, event = (await uow.events.offers([ticket_type_id])).get(ticket_type_id, (None, None))
            if tt is None or event is None or event.status is EventStatus.DRAFT:
                raise EventNotFound()
            event.ensure_on_sale(now)
            tt.ensure_sales_open(now)
            cart = await uow.carts.for_user(user_id, now, lock=True)
            if op_key is not None and cart.last_op == op_key:
                return await self._view(uow, user_id, now, cart)
            if not expired_ok and any(i.state is ItemState.HELD and not i.hold_active(now) for i in cart.items):
                return None  # nothing changed yet: released first, then added
            same = [i for i in cart.items if i.ticket_type_id == tt.id and i.state is ItemState.HELD]
            self._policy.check_quantity(qty, sum(i.qty for i in same), tt.max_per_order)
            await self._check_limits(uow, user_id, event, qty, cart)
            if not same:
                self._policy.check_lines(len(cart.items))
            until = now + self._policy.hold_for
            # Cart item first, quota second: the same lock order as checkout and the sweep.
            if same:
                item = same[0]
                if not await uow.carts.change_qty(item.id, item.qty, item.qty + qty, until, now):
                    raise CartChanged()
            else:
                await uow.carts.add_item(
                    CartItem(0, cart.id, ItemKind.TICKET, qty, tt.price, ItemState.HELD, until, tt.id, event.id),
                    now,
                )
            if not await uow.inventory.hold(tt.id, qty):
                raise SoldOut(tariff=tt.name, available=(await uow.events.ticket_type(tt.id)).available)
            await _ensure_still_on_sale(uow, event)
            await self._changed(uow, cart.id, now, op_key)
            view = await self._view(uow, user_id, now)
            await uow.commit()
            return view

    async def _release_own_expired(self, user_id: int, now: datetime) -> None:
        async with self._uow() as uow:
            cart = await uow.carts.for_user(user_id, now, lock=True)
            if await release_expired_holds(uow, now, cart.id):
                await uow.carts.bump_version(cart.id)
            await uow.commit()

    async def view(self, user_id: int) -> CartView:
        now = self._clock.now()
        async with self._uow() as uow:
            cart = await uow.carts.for_user(user_id, now, lock=True)
            if await release_expired_holds(uow, now, cart=cart):
                await uow.carts.bump_version(cart.id)
                cart = None  # read again
            view = await self._view(uow, user_id, now, cart)
            await uow.commit()
            return view

    async def remove(self, user_id: int, item_id: int, seen_version: int | None = None) -> CartView:
        now = self._clock.now()
        async with self._uow() as uow:
            item = await self._own_item(uow, user_id, item_id, now, seen_version)
            if await uow.carts.transition(item.id, item.state, ItemState.REMOVED, now, qty=item.qty):
                if item.state is ItemState.HELD and item.ticket_type_id is not None:
                    await uow.inventory.release(item.ticket_type_id, item.qty)
                    await self._dropped(uow, user_id, now)
                await self._changed(uow, item.cart_id, now)
            view = await self._view(uow, user_id, now)
            await uow.commit()
            return view

    async def change_qty(self, user_id: int, item_id: int, qty: int, seen_version: int | None = None) -> CartView:
        """Increase holds more quota (and restarts the hold), decrease gives quota back at once."""
        if qty <= 0:
            return await self.remove(user_id, item_id, seen_version)
        now = self._clock.now()
        async with self._uow() as uow:
            item = await self._own_item(uow, user_id, item_id, now, seen_version)
            if not item.hold_active(now) or item.ticket_type_id is None:
                raise CartItemNotFound()
            limit = (await uow.events.ticket_type(item.ticket_type_id)).max_per_order
            self._policy.check_quantity(qty, await self._same_tariff_elsewhere(uow, user_id, item, now), limit)
            delta = qty - item.qty
            if delta == 0:
                return await self._view(uow, user_id, now)
            if delta > 0:
                event = await uow.events.get(item.event_id)
                await self._check_limits(uow, user_id, event, delta, await uow.carts.for_user(user_id, now))
            until = now + self._policy.hold_for
            if not await uow.carts.change_qty(item.id, item.qty, qty, until, now):
                raise CartChanged()
            if delta > 0 and not await uow.inventory.hold(item.ticket_type_id, delta):
                tt = await uow.events.ticket_type(item.ticket_type_id)
                raise SoldOut(tariff=tt.name, available=tt.available)
            if delta < 0:
                await uow.inventory.release(item.ticket_type_id, -delta)
                await self._dropped(uow, user_id, now)
            await self._changed(uow, item.cart_id, now)
            view = await self._view(uow, user_id, now)
            await uow.commit()
            return view

    async def adjust(self, user_id: int, item_id: int, delta: int, seen_version: int | None = None) -> CartView:
        """The ➕/➖ buttons: one ticket more or less on an item of the user's own cart."""
        async with self._uow() as uow:  # may create the cart: a writer
            cart = await uow.carts.for_user(user_id, self._clock.now())
        current = next((i for i in cart.items if i.id == item_id), None)
        if current is None:
            raise CartItemNotFound()
        return await self.change_qty(user_id, item_id, current.qty + delta, seen_version)

    async def renew(self, user_id: int, item_id: int, seen_version: int | None = None) -> CartView:
        """Hold an expired item again if the quota still allows it."""
        now = self._clock.now()
        async with self._uow() as uow:
            item = await self._own_item(uow, user_id, item_id, now, seen_version)
            if item.state is not ItemState.EXPIRED or item.ticket_type_id is None:
                raise CartChanged()
            tt = await uow.events.ticket_type(item.ticket_type_id)
            event = await uow.events.get(item.event_id) if item.event_id else None
            if tt is None or event is None:
                raise EventNotFound()
            self._policy.check_quantity(
                item.qty, await self._same_tariff_elsewhere(uow, user_id, item, now), tt.max_per_order
            )
            event.ensure_on_sale(now)
            tt.ensure_sales_open(now)
            await self._check_limits(uow, user_id, event, item.qty, await uow.carts.for_user(user_id, now))
            if not await uow.carts.transition(item.id, ItemState.EXPIRED, ItemState.HELD, now, qty=item.qty):
                raise CartChanged()
            await uow.carts.change_qty(item.id, item.qty, item.qty, now + self._policy.hold_for, now)
            if not await uow.inventory.hold(tt.id, item.qty):
                raise SoldOut(tariff=tt.name, available=tt.available)
            await _ensure_still_on_sale(uow, event)
            await self._changed(uow, item.cart_id, now)
            view = await self._view(uow, user_id, now)
            await uow.commit()
            return view

    async def release_expired(self, batch: int = 500) -> int:
        """The background sweep: frees the quota of expired holds, one cart per short transaction, taking
        the locks in the order every other path takes them (cart row, its items, quota rows by id). A cart
        its owner is busy with is skipped, not waited for: the owner's own path releases its expired holds
        first anyway, and the next sweep comes soon. So the sweep never deadlocks with a customer."""
        now = self._clock.now()
        async with self._uow(write=False) as uow:
            cart_ids = await uow.carts.carts_with_expired_holds(now, batch)
        released = 0
        for cart_id in cart_ids:
            try:
                async with self._uow() as uow:
                    if not await uow.carts.lock_if_free(cart_id):
                        continue
                    count = await release_expired_holds(uow, now, cart_id)
                    if count:
                        await uow.carts.bump_version(cart_id)  # buttons drawn before now are stale
                    await uow.commit()
            except ConcurrencyConflict:
                continue
            released += count
        return released

    async def _own_item(
        self, uow: UnitOfWork, user_id: int, item_id: int, now: datetime, seen_version: int | None
    ) -> CartItem:
        """Callback data can be forged and buttons go stale: the item must be in this user's own cart,
        still live, and the cart must be the version the button was drawn for. The cart row is locked
        for the rest of the transaction, so a concurrent checkout or button of the same user waits."""
        cart = await uow.carts.for_user(user_id, now, lock=True)
        if seen_version is not None and seen_version != cart.version:
            raise CartChanged()
        if await release_expired_holds(uow, now, cart=cart):
            await uow.carts.bump_version(cart.id)
            await uow.commit()
            raise CartChanged()
        for item in cart.items:
            if item.id == item_id and item.state in (ItemState.HELD, ItemState.EXPIRED):
                return item
        raise CartItemNotFound()

    async def _check_limits(self, uow: UnitOfWork, user_id: int, event, adding: int, cart: Cart) -> None:
        """Anti-scalping under the cart lock the caller holds: one person's presses cannot both pass."""
        now = self._clock.now()
        dropped = await uow.carts.releases_since(user_id, now - self._policy.releases_worth_keeping)
        self._policy.check_cooldown(dropped, now)
        held = [i for i in cart.items if i.state is ItemState.HELD]
        self._policy.check_held(adding, sum(i.qty for i in held))
        held_here = sum(i.qty for i in held if i.event_id == event.id)
        bought = await uow.tickets.count_owned(user_id, event.id)
        self._policy.check_event_limits(event, adding, held_here, bought)

    async def _changed(self, uow: UnitOfWork, cart_id: int, now: datetime, op_key: str | None = None) -> None:
        """Every change of the cart restarts the holds of its live lines, so they lapse together and the
        cart can say one "held until"; buttons drawn before are stale from now on."""
        await uow.carts.renew_holds(cart_id, now + self._policy.hold_for, now)
        await uow.carts.bump_version(cart_id, op_key)

    async def _dropped(self, uow: UnitOfWork, user_id: int, now: datetime) -> None:
        await uow.carts.record_release(user_id, now, now - self._policy.releases_worth_keeping)

    async def _same_tariff_elsewhere(self, uow: UnitOfWork, user_id: int, item: CartItem, now: datetime) -> int:
        """Tickets of the item's tariff held by the user's other cart lines: the per-order limit spans them all."""
        cart = await uow.carts.for_user(user_id, now)
        return sum(
            other.qty
            for other in cart.items
            if other.id != item.id and other.ticket_type_id == item.ticket_type_id and other.state is ItemState.HELD
        )

    async def _view(self, uow: UnitOfWork, user_id: int, now: datetime, cart: Cart | None = None) -> CartView:
        return await build_cart_view(uow, user_id, now, self._currency, self._policy, cart)

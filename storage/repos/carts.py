from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import and_, bindparam, delete, exists, insert, select, update

from domain.models import Cart, CartItem, ItemKind, ItemState
from domain.money import Money
from storage.repos._base import Repo
from storage.repos.attendees import dump_answers, load_answers
from storage.tables import cart_items, carts, hold_releases, memberships

LIVE = (ItemState.HELD.value, ItemState.EXPIRED.value)


_ITEM_COLUMNS = [c.label(f"item_{c.name}") for c in cart_items.c]
# Whether the person has a running membership: most have none, and then the cart's pricing reads none.
_MEMBER = exists().where(memberships.c.user_id == carts.c.user_id, memberships.c.status == "active").label("member")
# Built once: building a Core statement costs more Python than running it (its cache key is memoised
# on the object, so a reused statement also skips the compiled-cache key computation).
_CART_WITH_ITEMS = (
    select(
        carts.c.id,
        carts.c.user_id,
        carts.c.version,
        carts.c.last_op,
        carts.c.codes,
        carts.c.buyer_answers,
        _MEMBER,
        *_ITEM_COLUMNS,
    )
    .select_from(carts.outerjoin(cart_items, and_(cart_items.c.cart_id == carts.c.id, cart_items.c.state.in_(LIVE))))
    .where(carts.c.user_id == bindparam("user_id"))
    .order_by(cart_items.c.id)
)
# PostgreSQL: the lock is taken by a statement of its own. A joined SELECT ... FOR UPDATE OF carts that
# waited for the lock returns the cart row as it is now but its items as they were when the statement
# began (READ COMMITTED takes one snapshot per statement): a concurrent add committed meanwhile would be
# missing, and the per-order limit checked against too few tickets.
_LOCK_CART = select(carts.c.id).where(carts.c.user_id == bindparam("user_id")).with_for_update()


def _item_of_row(row) -> CartItem:
    return CartItem(
        id=row.item_id,
        cart_id=row.item_cart_id,
        kind=ItemKind(row.item_kind),
        qty=row.item_qty,
        unit_price=Money(row.item_unit_price_minor, row.item_currency),
        state=ItemState(row.item_state),
        held_until=row.item_held_until,
        ticket_type_id=row.item_ticket_type_id,
        event_id=row.item_event_id,
    )


class CartRepo(Repo):
    async def record_release(self, user_id: int, now: datetime, keep_since: datetime) -> None:
        await self.conn.execute(
            delete(hold_releases).where(hold_releases.c.user_id == user_id, hold_releases.c.released_at < keep_since)
        )
        await self.conn.execute(insert(hold_releases).values(user_id=user_id, released_at=now))

    async def renew_holds(self, cart_id: int, until: datetime, now: datetime) -> int:
        stmt = (
            update(cart_items)
            .where(
                cart_items.c.cart_id == cart_id,
                cart_items.c.state == ItemState.HELD.value,
                cart_items.c.held_until > now,
            )
            .values(held_until=until, updated_at=now)
        )
        return (await self.conn.execute(stmt)).rowcount

    async def releases_since(self, user_id: int, since: datetime) -> list[datetime]:
        stmt = select(hold_releases.c.released_at).where(
            hold_releases.c.user_id == user_id, hold_releases.c.released_at >= since
        )
        return [r.released_at for r in await self.conn.execute(stmt)]

    async def for_user(self, user_id: int, now: datetime, lock: bool = False) -> Cart:
        """The user's one cart with its live items (one statement), created on first use; its id never
        changes. With lock=True the cart row is locked first (FOR UPDATE on PostgreSQL, then the items
        are read by a statement of their own; SQLite's BEGIN IMMEDIATE already serialises writers)."""
        params = {"user_id": user_id}
        if lock and self.conn.dialect.name == "postgresql":
            if (await self.conn.execute(_LOCK_CART, params)).first() is None:
                await self._create(user_id, now)
                await self.conn.execute(_LOCK_CART, params)
            rows = (await self.conn.execute(_CART_WITH_ITEMS, params)).all()
        else:
            rows = (await self.conn.execute(_CART_WITH_ITEMS, params)).all()
            if not rows:
                await self._create(user_id, now)
                rows = (await self.conn.execute(_CART_WITH_ITEMS, params)).all()
        head = rows[0]
        items = [_item_of_row(r) for r in rows if r.item_id is not None]
        codes = tuple(json.loads(head.codes))
        return Cart(
            head.id, head.user_id, head.version, items, head.last_op, codes, load_answers(head.buyer_answers),
            member=bool(head.member),
        )  # fmt: skip

    async def _create(self, user_id: int, now: datetime) -> None:
        await self.conn.execute(
            self.insert(carts)
            .values(user_id=user_id, version=0, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=[carts.c.user_id])
        )

    async def add_item(self, item: CartItem, now: datetime) -> CartItem:
        result = await self.conn.execute(
            insert(cart_items)
            .values(
                cart_id=item.cart_id,
                kind=item.kind.value,
                state=item.state.value,
                qty=item.qty,
                unit_price_minor=item.unit_price.minor,
                currency=item.unit_price.currency,
                held_until=item.held_until,
                ticket_type_id=item.ticket_type_id,
                event_id=item.event_id,
                created_at=now,
                updated_at=now,
            )
            .returning(cart_items.c.id)
        )
        item.id = result.scalar_one()
        return item

    async def change_qty(
        self, item_id: int, old_qty: int, new_qty: int, held_until: datetime | None, now: datetime
    ) -> bool:
        result = await self.conn.execute(
            update(cart_items)
            .where(cart_items.c.id == item_id, cart_items.c.qty == old_qty, cart_items.c.state == ItemState.HELD.value)
            .values(qty=new_qty, held_until=held_until, updated_at=now)
        )
        return result.rowcount == 1

    async def transition(
        self, item_id: int, from_state: ItemState, to_state: ItemState, now: datetime, qty: int
    ) -> bool:
        """Conditional on the state and the quantity the caller saw, so the quota it then moves is exactly
        the quota the item held."""
        result = await self.conn.execute(
            update(cart_items)
            .where(cart_items.c.id == item_id, cart_items.c.state == from_state.value, cart_items.c.qty == qty)
            .values(state=to_state.value, updated_at=now)
        )
        return result.rowcount == 1

    async def bump_version(
        self,
        cart_id: int,
        op_key: str | None = None,
        codes: tuple[str, ...] | None = None,
        buyer_answers: dict[int, str | list[str]] | None = None,
    ) -> int:
        """`codes`: the promo codes the cart keeps from now on (a payment empties them); `buyer_answers`
        likewise the buyer's answers (a payment has copied them onto its order)."""
        values = {"version": carts.c.version + 1}
        if op_key is not None:
            values["last_op"] = op_key
        if codes is not None:
            values["codes"] = json.dumps(list(codes))
        if buyer_answers is not None:
            values["buyer_answers"] = dump_answers(buyer_answers)
        result = await self.conn.execute(
            update(carts).where(carts.c.id == cart_id).values(**values).returning(carts.c.version)
        )
        return result.scalar_one()

    async def save_buyer_answers(self, cart_id: int, answers: dict[int, str | list[str]], now: datetime) -> None:
        """The buyer's answers as they are now; the caller holds the cart's lock. The version stays: a Pay
        button drawn before an answer still pays (the Pay press that opened the dialog pays after the last)."""
        await self.conn.execute(
            update(carts).where(carts.c.id == cart_id).values(buyer_answers=dump_answers(answers), updated_at=now)
        )

    async def expired_holds(self, now: datetime, cart_id: int | None = None, limit: int = 500) -> list[CartItem]:
        stmt = select(*_ITEM_COLUMNS).where(cart_items.c.state == ItemState.HELD.value, cart_items.c.held_until <= now)
        if cart_id is not None:
            stmt = stmt.where(cart_items.c.cart_id == cart_id)
        rows = await self.conn.execute(stmt.order_by(cart_items.c.id).limit(limit))
        return [_item_of_row(r) for r in rows]

    async def end_holds_of_event(self, event_id: int, now: datetime) -> int:
        """Every live hold on the event's tickets ends now; the sweep (or the owner's next press) gives the
        quota back through the usual path, taking the usual locks."""
        stmt = (
            update(cart_items)
            .where(
                cart_items.c.event_id == event_id,
                cart_items.c.state == ItemState.HELD.value,
                cart_items.c.held_until > now,
            )
            .values(held_until=now)
        )
        return (await self.conn.execute(stmt)).rowcount

    async def carts_with_expired_holds(self, now: datetime, limit: int) -> list[int]:
        rows = await self.conn.execute(
            select(cart_items.c.cart_id)
            .where(cart_items.c.state == ItemState.HELD.value, cart_items.c.held_until <= now)
            .group_by(cart_items.c.cart_id)
            .order_by(cart_items.c.cart_id)
            .limit(limit)
        )
        return [r.cart_id for r in rows]

    async def lock_if_free(self, cart_id: int) -> bool:
        """PostgreSQL: FOR UPDATE SKIP LOCKED. SQLite: BEGIN IMMEDIATE already made this the only writer."""
        query = select(carts.c.id).where(carts.c.id == cart_id)
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return (await self.conn.execute(query)).first() is not None

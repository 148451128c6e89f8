"""Attendee questions of events and the answers given in carts."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, select, update

from domain.models import Attendee, Question, QuestionKind
from storage.repos._base import Repo
from storage.tables import attendees, questions


def dump_answers(answers: dict[int, str | list[str]]) -> str:
    return json.dumps({str(k): v for k, v in sorted(answers.items())}, ensure_ascii=False, separators=(",", ":"))


def load_answers(text: str | None) -> dict[int, str | list[str]]:
    return {int(k): v for k, v in json.loads(text or "{}").items()}


def _question(row) -> Question:
    return Question(
        id=row.id,
        event_id=row.event_id,
        kind=QuestionKind(row.kind),
        label=row.label,
        required=row.required,
        options=tuple(json.loads(row.options)),
        ticket_type_id=row.ticket_type_id,
        position=row.position,
        active=row.active,
        per_order=row.per_order,
    )


class AttendeeRepo(Repo):
    async def questions(self, event_ids: list[int], *, removed: bool = False) -> dict[int, list[Question]]:
        """Per event, in the organizer's order; removed ones only when asked (a report lists their answers)."""
        if not event_ids:
            return {}
        stmt = select(questions).where(questions.c.event_id.in_(event_ids))
        if not removed:
            stmt = stmt.where(questions.c.active)
        found: dict[int, list[Question]] = {}
        for row in await self.conn.execute(stmt.order_by(questions.c.position, questions.c.id)):
            found.setdefault(row.event_id, []).append(_question(row))
        return found

    async def question(self, question_id: int) -> Question | None:
        row = (await self.conn.execute(select(questions).where(questions.c.id == question_id))).first()
        return _question(row) if row else None

    async def add_question(self, question: Question, now: datetime) -> Question:
        last = select(func.coalesce(func.max(questions.c.position), -1)).where(
            questions.c.event_id == question.event_id
        )
        position = (await self.conn.execute(last)).scalar_one() + 1
        values = {
            "event_id": question.event_id,
            "ticket_type_id": question.ticket_type_id,
            "kind": question.kind.value,
            "label": question.label,
            "options": json.dumps(list(question.options), ensure_ascii=False),
            "required": question.required,
            "position": position,
            "active": True,
            "per_order": question.per_order,
            "created_at": now,
        }
        new_id = (await self.conn.execute(questions.insert().values(**values).returning(questions.c.id))).scalar_one()
        return await self.question(new_id)

    async def remove_question(self, question_id: int) -> bool:
        result = await self.conn.execute(
            update(questions).where(questions.c.id == question_id, questions.c.active).values(active=False)
        )
        return result.rowcount == 1

    async def set_per_order(self, question_id: int, per_order: bool) -> bool:
        """Whether the question is asked once of the buyer; False when it already was as asked."""
        result = await self.conn.execute(
            update(questions)
            .where(questions.c.id == question_id, questions.c.per_order != per_order)
            .values(per_order=per_order)
        )
        return result.rowcount == 1

    async def of_items(self, item_ids: list[int]) -> dict[tuple[int, int], Attendee]:
        """(cart item, seat) -> what was given so far."""
        if not item_ids:
            return {}
        rows = await self.conn.execute(select(attendees).where(attendees.c.cart_item_id.in_(item_ids)))
        return {
            (r.cart_item_id, r.seat): Attendee(r.cart_item_id, r.seat, r.name, load_answers(r.answers)) for r in rows
        }

    async def save(self, attendee: Attendee, now: datetime) -> None:
        values = {"name": attendee.name, "answers": dump_answers(attendee.answers), "updated_at": now}
        changed = await self.conn.execute(
            update(attendees)
            .where(attendees.c.cart_item_id == attendee.cart_item_id, attendees.c.seat == attendee.seat)
            .values(**values)
        )
        if not changed.rowcount:  # the caller holds the cart lock: no one else writes this seat meanwhile
            await self.conn.execute(
                attendees.insert().values(cart_item_id=attendee.cart_item_id, seat=attendee.seat, **values)
            )

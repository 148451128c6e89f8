"""A demo catalogue for the sandbox: a few events in Russian and English, one almost sold out."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import Clock
from domain.models import Event, EventStatus, TicketType
from domain.money import Money
from domain.ports import UnitOfWorkFactory

DEMO = [
    (
        "Маузер",
        "Константин Райкин, Театр «Сатирикон»",
        "Премьера по пьесе Хайнера Мюллера: революция, долг и цена выбора.",
        "Театр «Сатирикон», Москва",
        "theatre",
        12,
        16,
        [("Партер", 350_000, 120), ("Балкон", 150_000, 80), ("VIP", 900_000, 10)],
    ),
    (
        "Mauser: online premiere",
        "Konstantin Raikin",
        "The streamed premiere with English subtitles.",
        "Online",
        "theatre",
        13,
        16,
        [("Online", 90_000, 1000)],
    ),
    (
        "Щелкунчик",
        "Большой театр, балетная труппа",
        "Балет П. И. Чайковского.",
        "Большой театр, Москва",
        "ballet",
        20,
        0,
        [("Партер", 800_000, 200), ("Амфитеатр", 400_000, 300)],
    ),
    (
        "Jazz Night: Moscow Trio",
        "Moscow Jazz Trio",
        "An evening of standards and new tunes.",
        "Jazz Club Esse, Moscow",
        "concert",
        5,
        18,
        [("Standard", 200_000, 60), ("Table for two", 700_000, 10)],
    ),
    (
        "Лебединое озеро",
        "Театр классического балета",
        "Последние билеты на сезон!",
        "МДМ, Москва",
        "ballet",
        3,
        0,
        [("Стандарт", 300_000, 3)],
    ),
]


async def seed_demo(uow: UnitOfWorkFactory, clock: Clock, currency: str = "RUB") -> int:
    """Insert the demo events unless the catalogue already has events. Returns how many were added."""
    now = clock.now()
    async with uow() as u:
        _existing, total = await u.events.search_published("", now, 0, 1)
        if total:
            return 0
        for title, performers, description, venue, category, days, age, tariffs in DEMO:
            starts = (now + timedelta(days=days)).replace(hour=16, minute=0, second=0, microsecond=0)
            event = await u.events.add(
                Event(
                    0,
                    title,
                    starts,
                    venue,
                    EventStatus.PUBLISHED,
                    performers,
                    description,
                    category,
                    starts + timedelta(hours=3),
                    age or None,
                )
            )
            for position, (name, price, quantity) in enumerate(tariffs):
                sold = quantity - 1 if quantity <= 3 else 0
                await u.events.add_ticket_type(
                    TicketType(0, event.id, name, Money(price, currency), quantity, sold=sold, position=position)
                )
        await u.commit()
    return len(DEMO)

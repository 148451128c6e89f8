"""Topping the wallet up through Telegram Payments: the amounts a customer may pay and the invoice payload.

Telegram accepts an invoice only between a per-currency minimum and maximum (about 1 and 10,000 US dollars:
https://core.telegram.org/bots/payments#supported-currencies, `currencies.json`). The shop keeps to a
narrower range of its own, inside Telegram's for every currency it sells in, so an invoice it sends is
never refused for its amount and one top-up is never a fortune.

The payload is what Telegram hands back with the pre-checkout query and the successful payment: it names
the person and the amount, so both answers can be checked against what was asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.money import Money, exponent

# The shop's own limits per top-up, in major units, within Telegram's for the currency.
LIMITS_MAJOR: dict[str, tuple[int, int]] = {"RUB": (100, 100_000), "USD": (1, 1_000), "EUR": (1, 1_000)}
PRESETS_MAJOR: dict[str, tuple[int, ...]] = {
    "RUB": (500, 1_000, 2_000, 5_000),
    "USD": (5, 10, 20, 50),
    "EUR": (5, 10, 20, 50),
}
_PAYLOAD = re.compile(
    r"topup:(?P<user>[0-9]{1,18}):(?P<amount>[0-9]{1,15}):(?P<currency>[A-Z]{3}):(?P<nonce>[0-9a-f]{8})"
)


def limits(currency: str) -> tuple[Money, Money]:
    low, high = LIMITS_MAJOR[currency]
    scale = 10 ** exponent(currency)
    return Money(low * scale, currency), Money(high * scale, currency)


def presets(currency: str) -> list[Money]:
    scale = 10 ** exponent(currency)
    return [Money(major * scale, currency) for major in PRESETS_MAJOR[currency]]


def within_limits(amount: Money) -> bool:
    low, high = limits(amount.currency)
    return low.minor <= amount.minor <= high.minor


@dataclass(frozen=True, slots=True)
class TopUpPayload:
    user_id: int
    amount: Money
    nonce: str  # one per invoice: two invoices of the same amount are told apart

    def encode(self) -> str:
        return f"topup:{self.user_id}:{self.amount.minor}:{self.amount.currency}:{self.nonce}"

    @classmethod
    def decode(cls, text: str) -> TopUpPayload | None:
        match = _PAYLOAD.fullmatch(text)
        if match is None or match["currency"] not in LIMITS_MAJOR:
            return None
        return cls(int(match["user"]), Money(int(match["amount"]), match["currency"]), match["nonce"])

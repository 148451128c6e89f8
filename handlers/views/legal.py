"""The texts of /terms and /paysupport."""

from __future__ import annotations

from domain.models import User
from handlers.views.base import _, escape


def terms() -> str:
    return "\n\n".join([_("terms.header"), _("cart.sale_terms"), _("terms.refunds"), _("terms.payments")])


def ask() -> str:
    return _("paysupport.ask")


def question_card(user: User, text: str) -> str:
    who = escape(user.display_name) + (f" (@{escape(user.username)})" if user.username else "")
    return _("paysupport.card").format(who=who, id=user.telegram_id, text=escape(text))

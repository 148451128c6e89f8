"""A local stand-in for the Telegram Bot API (real HTTP) plus scripted users and a terminal chat.

It imports nothing from the project.  See :class:`Sandbox`, :class:`ScriptedUser` and, for group
chats, :class:`SandboxGroup` / :class:`SandboxChannel`.
"""

from .client import ScriptedUser
from .groups import SandboxChannel, SandboxGroup
from .models import Button, CallbackAnswer, InvoiceInfo, SandboxMessage
from .payments import PaymentResult, SentInvoice
from .server import Sandbox

__all__ = [
    "Button",
    "CallbackAnswer",
    "InvoiceInfo",
    "PaymentResult",
    "Sandbox",
    "SandboxChannel",
    "SandboxGroup",
    "SandboxMessage",
    "ScriptedUser",
    "SentInvoice",
]

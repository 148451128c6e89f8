"""A local stand-in for the Telegram Bot API (real HTTP) plus scripted users and a terminal chat.

It imports nothing from the project.  See :class:`Sandbox` and :class:`ScriptedUser`.
"""

from .client import ScriptedUser
from .models import Button, CallbackAnswer, SandboxMessage
from .server import Sandbox

__all__ = ["Button", "CallbackAnswer", "Sandbox", "SandboxMessage", "ScriptedUser"]

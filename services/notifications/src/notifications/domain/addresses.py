"""Where a message for a volunteer may go: the rules over their recorded contact details.

- Only a channel the volunteer confirmed (a link to the email, a code to the mobile) carries a
  message meant for them; an email equal to their coordinator's never does (the organisation
  would read it). With no such channel, the message is held on the channel they prefer, and
  goes when they confirm that channel at that address.
- A channel they opted out of carries nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from notifications.domain.messages import VOLUNTEER

if TYPE_CHECKING:
    from notifications.models import Recipient

CHANNELS = ("EMAIL", "SMS")


@dataclass(frozen=True)
class Address:
    kind: str
    channel: str
    to: str
    held: bool = False  # the volunteer has not confirmed it: recorded, never sent


def address_of(recipient: Recipient, channel: str) -> str | None:
    return recipient.email if channel == "EMAIL" else recipient.mobile


def usable(recipient: Recipient, channel: str) -> bool:
    """An address that is the volunteer's own and that they did not opt out of."""
    address = address_of(recipient, channel)
    if not address or (recipient.email_opt_out if channel == "EMAIL" else recipient.sms_opt_out):
        return False
    coordinator = (recipient.coordinator_email or "").casefold()
    return not (channel == "EMAIL" and address.casefold() == coordinator)


def confirmed(recipient: Recipient, channel: str) -> bool:
    return recipient.email_confirmed if channel == "EMAIL" else recipient.mobile_confirmed


def _in_order(recipient: Recipient) -> tuple[str, str]:
    preferred = recipient.preferred_channel
    return (preferred, "SMS" if preferred == "EMAIL" else "EMAIL")


def volunteer_address(recipient: Recipient) -> Address | None:
    """The preferred confirmed channel, else the other confirmed one; else a held address on
    the first usable unconfirmed one; None when every channel is opted out or missing."""
    channels = [c for c in _in_order(recipient) if usable(recipient, c)]
    for channel in channels:
        if confirmed(recipient, channel):
            return Address(VOLUNTEER, channel, address_of(recipient, channel) or "")
    if channels:
        return Address(VOLUNTEER, channels[0], address_of(recipient, channels[0]) or "", held=True)
    return None

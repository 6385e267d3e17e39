"""Who acts in vetting: the roles the lifecycle tables name, and the `Actor` every use case is
given (a member of staff with their roles, or the service itself)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

SYSTEM = "system"  # the service itself: a consumer, the check runner, the daily sweep
OFFICER = "vetting_officer"
MANAGER = "vetting_manager"
# An establishment's governor: asks for a refusal concerning their establishment to be
# reconsidered (nothing else in vetting).
GOVERNOR = "governor"
STAFF = frozenset({OFFICER, MANAGER})
# The roles that may use vetting's API at all (either), and the one countersignatures need.
OFFICER_ROLES = (OFFICER, MANAGER)
MANAGER_ROLE = MANAGER


def roles_of(kind: str, roles: Iterable[str]) -> frozenset[str]:
    """What an actor may do as: staff by their roles, the service itself as `system`."""
    return frozenset({SYSTEM}) if kind == "SYSTEM" else frozenset(roles)


@dataclass(frozen=True)
class Actor:
    """Who does something: a member of staff (with roles), or the system itself."""

    id: str
    kind: str = "STAFF"
    roles: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def system(cls) -> Actor:
        return cls("system", "SYSTEM")

    @property
    def subject(self) -> str:
        """The human being behind the credential: what the two-person rules compare (the
        identity provider's subject for staff), never a name anyone may type."""
        return self.id

    def is_one_of(self, *staff_ids: str | None) -> bool:
        return self.subject in {staff_id for staff_id in staff_ids if staff_id}

    @property
    def acts_as(self) -> frozenset[str]:
        """The roles the lifecycle tables name: staff by their roles, the service as system."""
        return roles_of(self.kind, self.roles)

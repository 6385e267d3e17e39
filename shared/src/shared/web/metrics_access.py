"""Who may read `/metrics`: a caller on an allowed network, or one presenting the metrics token.

The metrics name every endpoint with its traffic and errors, which tells a stranger what is
being used and when. Anyone else gets the 404 of a path that does not exist.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable

from flask import request

from shared.config import SettingsError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """The METRICS_ALLOWED_NETWORKS list; a typo stops the process rather than open the door."""
    networks = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError:
            raise SettingsError(
                f"METRICS_ALLOWED_NETWORKS: {cidr!r} is not a network (e.g. 10.0.0.0/8)"
            ) from None
    return tuple(networks)


class MetricsDoor:
    def __init__(self, networks: Iterable[str], token: str) -> None:
        self.networks = parse_networks(networks)
        self.token = token

    def admits(self) -> bool:
        """The current request may read the metrics."""
        if self.token:
            header = request.headers.get("Authorization", "")
            scheme, _, presented = header.partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(
                presented.strip().encode(), self.token.encode()
            ):
                return True
        try:
            address = ipaddress.ip_address(request.remote_addr or "")
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)

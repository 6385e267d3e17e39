"""Machine callers (operators' scripts, the subject access bundle) get their staff access
tokens from the identity provider with the OAuth 2.0 client credentials grant: one token per
service, asked for by its audience (RFC 8707 `resource`). The client's roles are the
provider's business (a client registered with `data_protection_officer`, say)."""

from __future__ import annotations

import json
import os
from base64 import b64encode
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from shared.config import DEV_ISSUER
from shared.staff_tokens import fetch_json


class TokenRefused(Exception):
    """The provider could not be reached, or refused the client's credentials."""


@dataclass(frozen=True)
class MachineClient:
    issuer: str
    client_id: str
    client_secret: str
    token_url: str = ""

    @classmethod
    def at_issuer(
        cls, client_id: str, client_secret: str, env: Mapping[str, str] | None = None
    ) -> MachineClient:
        """The client at the deployment's provider (OIDC_ISSUER)."""
        env = os.environ if env is None else env
        return cls(
            issuer=env.get("OIDC_ISSUER", DEV_ISSUER).rstrip("/"),
            client_id=client_id,
            client_secret=client_secret,
        )

    def token(self, audience: str, timeout_s: float = 10.0) -> str:
        try:
            url = self.token_url or str(
                fetch_json(f"{self.issuer}/.well-known/openid-configuration")["token_endpoint"]
            )
            basic = b64encode(f"{quote(self.client_id)}:{quote(self.client_secret)}".encode())
            request = Request(
                url,
                data=urlencode({"grant_type": "client_credentials", "resource": audience}).encode(),
                headers={
                    "Authorization": f"Basic {basic.decode()}",
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                },
            )
            with urlopen(request, timeout=timeout_s) as response:
                return str(json.loads(response.read())["access_token"])
        except HTTPError as exc:
            raise TokenRefused(
                f"the identity provider refused client {self.client_id!r} ({exc.code})"
            ) from None
        except (URLError, OSError, ValueError, KeyError) as exc:
            raise TokenRefused(
                f"the identity provider at {self.issuer} could not be asked: "
                f"{getattr(exc, 'reason', exc)}"
            ) from None

"""Staff web front doors: one mechanism for the security console (access) and the vetting
workbench (vetting).

A door signs staff in at the identity provider (OpenID Connect, authorisation code + PKCE;
oidc.py), keeps a session row on the server (sessions.py: the `staff_sessions` table, created
by each service's migration with migrations.py), checks it on every request with idle and
absolute limits and a periodic re-check at the provider (guard.py), asks for the CSRF token on
every POST, and sends security headers with a per-request CSP nonce. Its pages extend
`frontdoor/layout.html` (GOV.UK Frontend, from the pinned npm package; assets.py serves it).

    door = FrontDoor(name=..., service=..., title=..., home=..., may_enter=..., refused=...,
                     env_prefix=..., import_name=__name__, navigation=(...))
    door.blueprint          # the views' routes
    door.configure(app, platform)
    signed_in()             # in a view: who
"""

from shared.frontdoor.door import FrontDoor
from shared.frontdoor.state import SignedIn, signed_in

__all__ = ["FrontDoor", "SignedIn", "signed_in"]

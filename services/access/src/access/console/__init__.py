"""The security console: server-rendered pages for an establishment's security team (the
queue, a grant's decisions and induction, the gate check), signed in at the identity provider
(OpenID Connect, authorisation code with PKCE) with a session held on the server.

`configure_console(app, platform)` (console.configure) is the service definition's
`configure_app`: it adds the blueprint at /console, its session and CSRF settings, and leaves
the JSON API as it was (the API authenticates with bearer tokens, which a cross-site form cannot
send, so it needs no CSRF token; only the console's own before_request asks for one).
"""

"""A small OpenID Connect issuer for the development stack and the tests — never for production.

Built on authlib's authorization server: discovery, a JWKS with one RSA key kept in the data
folder, the authorization-code flow with PKCE behind a German login form (the clerks' desk
signs in through it), client credentials for operators' scripts, and JWT access tokens with
``iss``, ``aud``, ``sub``, ``exp``, ``name``, ``roles``, ``ags`` and ``procedures``. The demo
accounts are in ``demo.toml``. ``python3 rathaus.py start`` runs it as a process of its own
(``devstack.issuer.process``); a real installation points the services at its own provider.
"""

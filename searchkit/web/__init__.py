"""``searchkit.web``: the search page and JSON API a whole desk opens in a browser.

``create_app(kit)`` is the ASGI app (mount it in your own server if you like);
``serve(kit, host, port)`` runs it with uvicorn, as ``searchkit serve`` does. Modules:
``params`` (request parameters and their limits), ``guard`` (Host check, token, security
headers), ``app`` (routes), ``server`` (binding and running), ``static/`` (the page).

What it must not do: use anything of searchkit but the public ``SearchKit`` API and
its result types, or change the index.
"""
from __future__ import annotations

from searchkit.web.app import create_app
from searchkit.web.server import serve

__all__ = ["create_app", "serve"]

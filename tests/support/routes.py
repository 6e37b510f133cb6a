"""Every HTTP route of every service as its application has them, the hidden ones too.

The OpenAPI leaves out what is ``include_in_schema=False`` (pages, the docs' files); a test
that must see every route asks the application itself. ``python -m tests.support.routes``
builds each service's app (without starting it) and prints, as JSON, each route's methods,
path, whether the OpenAPI shows it, and whether it needs a signed-in caller (it depends on
``runtime.auth.signed_in``, directly or through ``Operator`` / ``requires_role``). A clerks'
desk route (``runtime.desk``) is a browser route: ``desk`` says so, ``desk_signed_in``
whether it needs a desk session (``DeskUser`` and the role checks built on it).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

ROOT = Path(__file__).resolve().parents[2]


def _needs_sign_in(dependant: Dependant) -> bool:
    from runtime.auth import signed_in

    return _depends_on(dependant, signed_in)


def _depends_on(dependant: Dependant, call: Any) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)


def routes_of(service: str) -> list[dict[str, Any]]:
    """The routes of one service's application."""
    from contracts.naming import Service
    from runtime.desk.access import desk_user
    from runtime.desk.csrf import DeskRoute
    from runtime.service import create_app
    from tests.deploy.settings_names import settings_class

    build = importlib.import_module(f"services.{service}.bootstrap").build
    app = create_app(Service(service), settings_class(service)(), build)  # type: ignore[arg-type]
    found = []
    # FastAPI keeps included routers as they are; iter_route_contexts walks into them.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        dependant = route.dependant if isinstance(route, APIRoute) else None
        found.append(
            {
                "methods": sorted(context.methods or ["GET"]),
                "path": context.path,
                "in_schema": bool(getattr(context, "include_in_schema", False)),
                "signed_in": dependant is not None and _needs_sign_in(dependant),
                "desk": isinstance(route, DeskRoute),
                "desk_signed_in": dependant is not None and _depends_on(dependant, desk_user),
            }
        )
    return found


def all_routes(services: tuple[str, ...], env: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Every service's routes, listed in a process of their own (building an app configures
    logging and tracing, which the test process should not inherit)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.routes", *services],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    listed: dict[str, list[dict[str, Any]]] = json.loads(done.stdout.strip().splitlines()[-1])
    return listed


if __name__ == "__main__":
    print(json.dumps({name: routes_of(name) for name in sys.argv[1:]}))

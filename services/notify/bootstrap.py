"""Wiring notify together."""

from __future__ import annotations

from runtime.service import Runtime, ServiceParts
from services.notify import template_api
from services.notify.api import router
from services.notify.bounce_mail import run_bounce_mail
from services.notify.domain import rendering
from services.notify.forwarding import adopt_forwarding
from services.notify.pages import desk_parts
from services.notify.projections import outbox
from services.notify.sender import run_senders


def build(runtime: Runtime) -> ServiceParts:
    """notify's parts, bound to ``runtime``."""
    rendering.configure(runtime.settings.members_dir)  # the towns' own templates, coats of arms
    desk_routers, install_desk = desk_parts(runtime)  # the operators' page of messages
    return ServiceParts(
        title="RathausCloud notify",
        projections=(outbox.projection(runtime),),
        routers=(router(runtime), template_api.router(runtime), *desk_routers),
        on_start=(adopt_forwarding,),  # before the reactions: the recipients they forward to
        background=(run_senders, run_bounce_mail),
        configure=(install_desk,),
    )

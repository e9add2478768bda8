"""Record linkage: the latest run's summary for everyone, and for reviewers the queue of
uncertain pairs side by side with accept and reject buttons (each decision audited)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ssp_planner.services import web_linkage
from ssp_planner.services.web_linkage import Decision, DecisionRequest, LinkageSummary, ReviewPair
from ssp_planner.web.auth import client_ip
from ssp_planner.web.deps import EngineDep, LinkageReviewer, Viewer
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import flash, page
from ssp_planner.web.roles import Permission

feature = Feature("linkage", nav=(NavEntry("Linkage", "/linkage", Permission.VIEW),))
PairId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@feature.pages.get("/linkage", response_class=HTMLResponse)
def linkage_page(request: Request, user: Viewer, engine: EngineDep) -> HTMLResponse:
    reviewer = user.can(Permission.REVIEW_LINKAGE)
    found = web_linkage.linkage_page(engine, user, reviewer=reviewer)
    return page(request, "linkage.html", user, linkage=found, reviewer=reviewer)


@feature.pages.post("/linkage/reviews/{pair_id}")
def decide_page(
    request: Request,
    user: LinkageReviewer,
    engine: EngineDep,
    pair_id: PairId,
    decision: Annotated[Literal["accept", "reject"], Form()],
) -> RedirectResponse:
    accept = decision == "accept"
    done = web_linkage.decide_and_record(
        engine, user, pair_id, accept=accept, ip=client_ip(request)
    )
    word = "accepted as the same person" if accept else "rejected (different people)"
    flash(
        request,
        f"Pair {pair_id} {word}; {done.review_pending} pair(s) still waiting. "
        "The decision applies from the next linkage run.",
    )
    return RedirectResponse("/linkage#queue", status_code=303)


@feature.api.get("/linkage", tags=["linkage"], responses={404: {}})
def summary_api(user: Viewer, engine: EngineDep) -> LinkageSummary:
    return web_linkage.summary(engine, user.scope)


@feature.api.get("/linkage/reviews", tags=["linkage"], responses={404: {}})
def reviews_api(user: LinkageReviewer, engine: EngineDep) -> list[ReviewPair]:
    return web_linkage.review_queue(engine, user)


@feature.api.post("/linkage/reviews/{pair_id}", tags=["linkage"], responses={404: {}})
def decide_api(
    request: Request,
    user: LinkageReviewer,
    engine: EngineDep,
    pair_id: PairId,
    body: DecisionRequest,
) -> Decision:
    return web_linkage.decide_and_record(
        engine, user, pair_id, accept=body.accept, ip=client_ip(request)
    )

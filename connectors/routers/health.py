"""Readiness of the app, its knowledge index and Rasa, and the launcher's view of its processes."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from connectors.deps import Services
from connectors.launcher import read_supervisor_status

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Readiness of every part")
async def healthz(services: Services) -> JSONResponse:
    """200 only when the app, the knowledge index and Rasa are all ready; each part's state in JSON.

    While Rasa is down, ``rasa.degraded`` says that questions are answered from the knowledge
    search alone; ``processes`` (when started by ``infoline run``) gives each process's state and
    restarts.
    """
    knowledge = services.knowledge
    rasa_ready = await services.rasa.is_ready()
    parts = {
        "app": {"ready": True},
        "knowledge": {
            "ready": knowledge.ready,
            "entries": len(knowledge.search.entries) if knowledge.ready else 0,
            "error": knowledge.error,
        },
        "rasa": {"ready": rasa_ready, "url": services.settings.rasa_url,
                 "degraded": not rasa_ready and knowledge.ready},
    }
    ready = all(part["ready"] for part in parts.values())
    body: dict = {"ready": ready, "parts": parts}
    processes = read_supervisor_status(services.settings.data_dir)
    if processes is not None:
        body["processes"] = processes
    return JSONResponse(body, status_code=200 if ready else 503)

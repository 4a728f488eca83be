"""Readiness of the app, its knowledge index and Rasa."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from connectors.deps import Services

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Readiness of every part")
async def healthz(services: Services) -> JSONResponse:
    """200 only when the app, the knowledge index and Rasa are all ready; each part's state in JSON."""
    knowledge = services.knowledge
    parts = {
        "app": {"ready": True},
        "knowledge": {
            "ready": knowledge.ready,
            "entries": len(knowledge.search.entries) if knowledge.ready else 0,
            "error": knowledge.error,
        },
        "rasa": {"ready": await services.rasa.is_ready(), "url": services.settings.rasa_url},
    }
    ready = all(part["ready"] for part in parts.values())
    return JSONResponse({"ready": ready, "parts": parts}, status_code=200 if ready else 503)

"""Administration: reload the knowledge index without restarting the app."""
from __future__ import annotations

import asyncio
import hmac

from fastapi import APIRouter, Header, HTTPException

from connectors.deps import Services

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post("/knowledge/reload", summary="Rebuild the knowledge index from the entry files and swap it in")
async def reload_knowledge(services: Services, authorization: str = Header("")) -> dict:
    """Requests keep being answered from the current index until the new one is ready.

    Needs ``Authorization: Bearer <INFOLINE_ADMIN_TOKEN>``; without a configured token the route is off.
    """
    token = services.settings.admin_token
    if not token:
        raise HTTPException(404, detail={"code": "not_found", "message": "Not Found"})
    if not hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        raise HTTPException(401, detail={"code": "unauthorized", "message": "A valid admin token is required."})
    try:
        rebuilt = await asyncio.get_running_loop().run_in_executor(None, services.knowledge.load)
    except Exception as exc:
        raise HTTPException(422, detail={"code": "reload_failed", "message": f"{type(exc).__name__}: {exc}"}) from exc
    return {"reloaded": True, "rebuilt": rebuilt, "entries": len(services.knowledge.search.entries)}

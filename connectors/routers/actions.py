"""Rasa's action endpoint, served by rasa_sdk's executor inside this app.

Only Rasa may call it: every request must carry ``Authorization: Bearer <INFOLINE_ACTION_SECRET>``
(Rasa sends it from its endpoint configuration) and a JSON body. Anything else is refused before
an action runs, so nobody can run an action on a conversation they made up.
"""
from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException

logger = logging.getLogger(__name__)
router = APIRouter(tags=["actions"], include_in_schema=False)


def caller_is_rasa(request: Request, secret: str) -> bool:
    """Whether the request carries the shared secret (compared in constant time)."""
    given = request.headers.get("authorization", "")
    return bool(secret) and hmac.compare_digest(given.encode("utf-8", "replace"), f"Bearer {secret}".encode())


@router.post("/webhook")
async def run_action(request: Request) -> JSONResponse:
    """Run the action Rasa asks for and return its events and messages."""
    if not caller_is_rasa(request, request.app.state.services.settings.action_secret):
        logger.warning("action endpoint: refused a call without the shared secret")
        return JSONResponse({"error": "Not authorised"}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        return JSONResponse({"error": "The body must be application/json"}, status_code=415)
    executor: ActionExecutor = request.app.state.action_executor
    try:
        action_call = await request.json()
    except ValueError:
        return JSONResponse({"error": "Invalid body request"}, status_code=400)
    if not isinstance(action_call, dict):
        return JSONResponse({"error": "Invalid body request"}, status_code=400)
    try:
        result = await executor.run(action_call)
    except ActionExecutionRejection as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=400)
    except ActionNotFoundException as exc:
        logger.error("unknown action requested: %s", exc.action_name)
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=404)
    except ActionMissingDomainException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=449)
    return JSONResponse(result.model_dump() if result else None)

"""The FastAPI app factory: chat API and page, Rasa's action endpoint, health."""
from __future__ import annotations

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from rasa_sdk.executor import ActionExecutor
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.actions import build_actions
from connectors.deps import AppServices
from connectors.i18n import LANGUAGES, translate
from connectors.rasa_client import RasaClient
from connectors.routers import actions, chat, health
from connectors.settings import Settings, get_settings
from knowledge.search import SearchHolder
from nlu.language_id import LanguageIdentifier

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _load_in_background(services: AppServices) -> None:
    try:
        services.languages.warm_up()
        rebuilt = services.knowledge.load()
        logger.info("knowledge index ready (rebuilt=%s)", rebuilt)
    except Exception as exc:  # reported by /healthz; the app keeps serving
        logger.exception("knowledge index failed to load")
        services.knowledge.error = f"{type(exc).__name__}: {exc}"


def _language_of(request_body: object) -> str | None:
    if isinstance(request_body, dict) and request_body.get("language") in LANGUAGES:
        return request_body["language"]
    return None


def create_app(settings: Settings | None = None, rasa: RasaClient | None = None,
               knowledge: SearchHolder | None = None) -> FastAPI:
    """Build the app. Arguments replace the defaults built from settings (used by tests)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        services = AppServices(
            settings=settings,
            rasa=rasa or RasaClient(settings.rasa_url, timeout=settings.rasa_timeout_seconds),
            knowledge=knowledge or SearchHolder(settings.entries_dir, settings.index_dir, settings.embedding_model),
            languages=LanguageIdentifier(),
        )
        app.state.services = services
        executor = ActionExecutor()
        for action in build_actions(lambda: services.knowledge.search):
            executor.register_action(action)
        app.state.action_executor = executor
        loader = asyncio.get_running_loop().run_in_executor(None, _load_in_background, services)
        yield
        await loader
        await services.rasa.close()

    app = FastAPI(
        title="INFO.OPT assistant",
        version="0.1.0",
        description="Chat API of the INFO.OPT assistant of the Małopolska Voivodeship Office's foreigners' department.",
        lifespan=lifespan,
    )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            body = None
        language = _language_of(body)
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors) or (body is None and request.method == "POST"):
            return JSONResponse({"error": {"code": "invalid_json", "message": translate("invalid_json", language)}}, status_code=400)
        if any(tuple(e.get("loc", ()))[-1:] == ("language",) for e in errors):
            return JSONResponse({"error": {"code": "invalid_language", "message": translate("invalid_language", None)}}, status_code=422)
        fields = sorted({str(e.get("loc", ("?",))[-1]) for e in errors})
        return JSONResponse(
            {"error": {"code": "invalid_request", "message": translate("invalid_request", language, fields=", ".join(fields))}},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.detail, dict) and "code" in exc.detail:
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return JSONResponse({"error": {"code": "http_error", "message": str(exc.detail)}}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unexpected error on %s", request.url.path)
        return JSONResponse({"error": {"code": "internal_error", "message": translate("internal_error", None)}}, status_code=500)

    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(actions.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    return app

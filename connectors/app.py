"""The FastAPI app factory: chat API and page, Rasa's action endpoint, health."""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from rasa_sdk.executor import ActionExecutor
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.actions import BotServices, build_actions
from bot.services.case_store import AttemptLimiter, CaseStore
from bot.services.db import create_schema, make_engine
from bot.services.handoff import HandoffStore
from connectors.deps import AppServices
from connectors.gateway import AssistantGateway
from connectors.i18n import LANGUAGES, translate
from connectors.rasa_client import RasaClient
from connectors.routers import actions, admin, chat, consultant, health, telegram
from connectors.settings import Settings, get_settings
from connectors.telegram_runner import rasa_sender, start_telegram, stop_telegram
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


async def _watch_knowledge(services: AppServices) -> None:
    """Swap in a rebuilt index when entry files change; a failed rebuild keeps the current one."""
    interval = services.settings.knowledge_watch_seconds
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(interval)
        if not services.knowledge.ready:
            continue
        try:
            if await loop.run_in_executor(None, services.knowledge.reload_if_changed):
                logger.info("knowledge reloaded after a change in the entries")
        except Exception as exc:
            logger.error("knowledge reload failed, keeping the current index: %s", exc)
            services.knowledge.error = f"reload failed: {type(exc).__name__}: {exc}"


def _mask_personal_data_in_logs() -> None:
    """Case numbers, dates, PESEL, passport numbers, phones and e-mails never reach the logs unmasked."""
    from bot.services.privacy import PersonalDataFilter

    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                handler.addFilter(PersonalDataFilter())


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
        _mask_personal_data_in_logs()
        rasa_client = rasa or RasaClient(settings.rasa_url, timeout=settings.rasa_timeout_seconds,
                                         message_secret=settings.action_secret)
        search = knowledge or SearchHolder(settings.entries_dir, settings.index_dir, settings.embedding_model)
        languages = LanguageIdentifier()
        services = AppServices(settings=settings, rasa=rasa_client, knowledge=search, languages=languages,
                               gateway=AssistantGateway(rasa_client, search, languages))
        app.state.services = services
        engine = make_engine(settings.app_database_url)
        create_schema(engine)
        cases = CaseStore(engine)
        attempts = AttemptLimiter(engine, secret=settings.secret_key, max_attempts=settings.case_max_attempts,
                                  cooldown=timedelta(minutes=settings.case_cooldown_minutes))
        handoffs = HandoffStore(engine, secret=settings.secret_key)
        executor = ActionExecutor()
        bot_services = BotServices(knowledge=lambda: services.knowledge.search, cases=lambda: cases,
                                   attempts=lambda: attempts, handoffs=lambda: handoffs,
                                   message_secret=settings.action_secret)
        for action in build_actions(bot_services):
            executor.register_action(action)
        app.state.action_executor = executor
        loader = asyncio.get_running_loop().run_in_executor(None, _load_in_background, services)
        watcher = asyncio.create_task(_watch_knowledge(services)) if settings.knowledge_watch_seconds > 0 else None
        app.state.telegram = await start_telegram(settings, rasa_sender(services.gateway),
                                                  webhook_url=settings.telegram_webhook_url or None)
        yield
        await stop_telegram(app.state.telegram)
        if watcher:
            watcher.cancel()
        await loader
        await services.rasa.close()
        store = getattr(app.state, "consultant_accounts", None)
        if store is not None:
            store.engine.dispose()
        engine.dispose()

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
    app.include_router(admin.router)
    app.include_router(consultant.router)
    app.include_router(telegram.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    return app

"""The consultants' lookup tool: sign-in, lock-out, sessions, CSRF, the search API and escaping."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from connectors.app import create_app
from connectors.consultant import cli as consultant_cli
from connectors.consultant.accounts import (AccountStore, ScryptParams, create_app_engine, hash_password,
                                            needs_rehash, verify_password)
from connectors.consultant.lookup import OTHER, load_sections, sections_of
from connectors.consultant.sessions import CookiePolicy, SessionCodec
from connectors.routers import consultant
from connectors.settings import PROJECT_ROOT, Settings
from knowledge.entries import LANGUAGES, Entry, load_entries
from knowledge.search import Hit, SearchResult

PASSWORD = "correct horse battery staple"
FAST = ScryptParams(log_n=10, r=8, p=1)  # cheap hashes keep the tests fast; the default cost is tested once
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class FakeRasa:
    async def send(self, sender_id, text, metadata):
        return []

    async def is_ready(self):
        return True

    async def close(self):
        pass


class FakeLanguages:
    """Stands in for lingua, which these tests do not need (it takes seconds to load)."""

    def warm_up(self):
        pass

    def detect(self, text):
        return SimpleNamespace(language=None, confidence=0.0, served=None)


class WordSearch:
    """A deterministic stand-in for KnowledgeSearch: ranks entries by shared words."""

    def __init__(self, entries: list[Entry]):
        self.entries = {e.id: e for e in entries}
        self.calls: list[dict] = []

    def _words(self, entry: Entry) -> set[str]:
        text = " ".join(f"{t.title} {t.answer} {' '.join(t.questions)}" for t in entry.texts.values())
        return set(re.findall(r"\w+", text.casefold()))

    def run(self, query, *, language=None, top_k=None):
        self.calls.append({"query": query, "language": language, "top_k": top_k})
        words = set(re.findall(r"\w+", (query or "").casefold()))
        if not words:
            return SearchResult(query, "none", (), reason="empty")
        scored = sorted(((len(words & self._words(e)), e.id) for e in self.entries.values()), key=lambda s: (-s[0], s[1]))
        hits = tuple(Hit(eid, float(n), min(1.0, n / 3), float(n), 0.0) for n, eid in scored if n > 0)[: top_k or 5]
        return SearchResult(query, "answer" if hits else "none", hits)


class FakeKnowledge:
    ready = True
    error = None

    def __init__(self, search: WordSearch):
        self.search = search

    def load(self):
        return False


class Clock:
    def __init__(self):
        self.now = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone.utc)

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def entries(tmp_path_factory) -> list[Entry]:
    directory = tmp_path_factory.mktemp("entries")
    for name in ("fees.yml", "pesel.yml", "employer-obligations.yml"):
        shutil.copy(PROJECT_ROOT / "knowledge" / "entries" / name, directory / name)
    return load_entries(directory)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock) -> AccountStore:
    accounts = AccountStore(create_app_engine(f"sqlite:///{tmp_path / 'app.db'}"), "test-secret", params=FAST, clock=clock)
    accounts.create_user("Anna.Kowalska", PASSWORD)
    return accounts


@pytest.fixture
def search(entries) -> WordSearch:
    return WordSearch(entries)


@pytest.fixture
def client(tmp_path, monkeypatch, store, search):
    monkeypatch.setattr("connectors.app.LanguageIdentifier", FakeLanguages)
    app = create_app(Settings(data_dir=tmp_path, knowledge_watch_seconds=0), rasa=FakeRasa(), knowledge=FakeKnowledge(search))
    app.include_router(consultant.router)
    app.dependency_overrides[consultant.get_accounts] = lambda: store
    with TestClient(app) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str = "anna.kowalska", password: str = PASSWORD):
    token = csrf_of(client.get("/consultant/login").text)
    return client.post("/consultant/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


@pytest.fixture
def signed_in(client) -> TestClient:
    assert sign_in(client).status_code == 303
    return client


# --- pages and sign-in ----------------------------------------------------------------------

def test_pages_need_a_session(client):
    page = client.get("/consultant", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/consultant/login"
    api = client.get("/consultant/api/search", params={"q": "pesel"})
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "not_signed_in"
    login = client.get("/consultant/login")
    assert login.status_code == 200
    assert 'type="password"' in login.text
    assert "script-src 'self'" in login.headers["content-security-policy"]


def test_wrong_password_is_refused(client):
    res = sign_in(client, password="not the password at all")
    assert res.status_code == 401
    assert "Wrong username or password" in res.text
    assert "consultant_session" not in res.headers.get("set-cookie", "")
    assert client.get("/consultant", follow_redirects=False).status_code == 303
    unknown = sign_in(client, username="nobody.here")
    assert unknown.status_code == 401
    assert "Wrong username or password" in unknown.text  # the same answer: no hint which names exist


def test_sign_in_sets_an_httponly_strict_cookie_and_opens_the_tool(client):
    res = sign_in(client, username="  ANNA.Kowalska ")
    assert res.status_code == 303
    assert res.headers["location"] == "/consultant"
    cookie = next(c for c in res.headers.get_list("set-cookie") if c.startswith("consultant_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie  # development over http
    page = client.get("/consultant")
    assert page.status_code == 200
    assert "anna.kowalska" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert client.get("/consultant/login", follow_redirects=False).headers["location"] == "/consultant"


def test_cookies_are_secure_with_the_host_prefix_outside_development(tmp_path, monkeypatch, store, search):
    monkeypatch.setattr("connectors.app.LanguageIdentifier", FakeLanguages)
    settings = Settings(data_dir=tmp_path, knowledge_watch_seconds=0, environment="production", secret_key="x" * 48)
    app = create_app(settings, rasa=FakeRasa(), knowledge=FakeKnowledge(search))
    app.include_router(consultant.router)
    app.dependency_overrides[consultant.get_accounts] = lambda: store
    with TestClient(app) as client:
        cookie = client.get("/consultant/login").headers["set-cookie"]
    assert cookie.startswith("__Host-consultant_login=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie


def test_lock_out_after_five_failures_says_when_to_retry(client, clock):
    statuses = [sign_in(client, password=f"wrong password {i}").status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    refused = sign_in(client)  # even the right password, while locked
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.text
    assert "Try again in 15 minutes" in refused.text
    assert "10:15" in refused.text  # 09:00 UTC + 15 min, in Kraków time
    assert int(refused.headers["retry-after"]) > 0
    clock.now += dt.timedelta(minutes=10)
    assert "Try again in 5 minutes" in sign_in(client).text
    clock.now += dt.timedelta(minutes=5, seconds=1)
    assert sign_in(client).status_code == 303


def test_lock_out_counts_failures_per_client_address_too(client, store):
    for i in range(5):
        sign_in(client, username=f"guess{i}", password="whatever password")
    assert sign_in(client).status_code == 429  # same address, other name
    assert store.authenticate("anna.kowalska", PASSWORD, client="198.51.100.9").ok  # another address


def test_lock_out_is_kept_in_the_database(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = AccountStore(create_app_engine(url), "s", params=FAST, clock=clock)
    first.create_user("marek", PASSWORD)
    for _ in range(5):
        first.authenticate("marek", "bad password here", client="203.0.113.5")
    second = AccountStore(create_app_engine(url), "s", params=FAST, clock=clock)  # another process
    result = second.authenticate("marek", PASSWORD, client="203.0.113.99")
    assert not result.ok
    assert result.locked_until == clock.now + dt.timedelta(minutes=15)


# --- passwords ------------------------------------------------------------------------------

def test_password_hash_is_salted_scrypt_and_verifies(store):
    stored = hash_password(PASSWORD)
    assert PASSWORD not in stored
    assert stored.startswith("scrypt$ln=15,r=8,p=3$")
    assert stored != hash_password(PASSWORD)  # random salt
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "!", stored)
    assert not verify_password(PASSWORD, "not-a-hash")
    in_db = store.password_hash("anna.kowalska")
    assert PASSWORD not in in_db and verify_password(PASSWORD, in_db)
    assert needs_rehash(in_db) and not needs_rehash(stored)


def test_new_accounts_need_a_valid_name_and_a_long_password(store):
    with pytest.raises(ValueError):
        store.create_user("x", PASSWORD)
    with pytest.raises(ValueError):
        store.create_user("valid.name", "short")
    with pytest.raises(ValueError):  # taken, case-insensitively
        store.create_user("ANNA.KOWALSKA", PASSWORD)


# --- sessions and CSRF ----------------------------------------------------------------------

def test_post_without_csrf_token_is_forbidden(signed_in):
    assert signed_in.post("/consultant/logout", follow_redirects=False).status_code == 403
    wrong = signed_in.post("/consultant/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert wrong.status_code == 403
    assert signed_in.get("/consultant").status_code == 200  # still signed in
    signed_in.cookies.clear()
    login = signed_in.post("/consultant/login", data={"username": "anna.kowalska", "password": PASSWORD},
                           follow_redirects=False)
    assert login.status_code == 403
    assert "consultant_session" not in login.headers.get("set-cookie", "")


def test_logout_ends_the_session_even_for_a_kept_cookie(signed_in):
    old_cookie = signed_in.cookies.get("consultant_session")
    token = csrf_of(signed_in.get("/consultant").text)
    res = signed_in.post("/consultant/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert res.status_code == 303
    assert res.headers["location"] == "/consultant/login"
    assert signed_in.get("/consultant", follow_redirects=False).status_code == 303
    signed_in.cookies.set("consultant_session", old_cookie)  # replaying the old cookie does not work
    assert signed_in.get("/consultant", follow_redirects=False).status_code == 303
    assert signed_in.get("/consultant/api/search", params={"q": "pesel"}).status_code == 401


def test_tampered_or_expired_session_cookies_are_refused():
    now = [1_000_000.0]
    codec = SessionCodec("secret", session_max_age=60, clock=lambda: now[0])
    value, session = codec.issue("anna")
    assert codec.read(value) == session
    head, payload, signature = value.split(".")
    assert codec.read(f"{head}.{payload}.{signature[:-2]}AA") is None
    assert codec.read(value, kind="login") is None
    assert SessionCodec("another secret").read(value) is None
    assert codec.check_csrf(session, codec.csrf_token(session))
    _, other = codec.issue("anna")
    assert not codec.check_csrf(other, codec.csrf_token(session))  # bound to its session
    now[0] += 61
    assert codec.read(value) is None
    assert CookiePolicy.for_environment("production").attributes(60)["secure"] is True


# --- search ---------------------------------------------------------------------------------

def test_search_returns_ranked_results_with_four_languages(signed_in, search):
    res = signed_in.get("/consultant/api/search", params={"q": "pesel numer"})
    assert res.status_code == 200
    data = res.json()
    assert data["results"][0]["id"] == "pesel"
    assert search.calls[-1]["top_k"] == 10
    for result in data["results"]:
        assert set(result["texts"]) == set(LANGUAGES)
        assert all(result["texts"][lang]["title"] and result["texts"][lang]["answer"] for lang in LANGUAGES)
        assert {"score", "confidence", "audience", "tags", "checked", "sources", "related"} <= set(result)
    top = data["results"][0]
    assert top["checked"] == "2026-11-24"
    assert top["sources"][0].startswith("https://")
    assert top["texts"]["uk"]["title"] == "Номер PESEL для іноземця"
    assert {r["id"] for r in top["related"]} >= {"address-registration"}


def test_empty_query_returns_nothing(signed_in, search):
    for query in ("", "   "):
        data = signed_in.get("/consultant/api/search", params={"q": query}).json()
        assert data["results"] == []
    assert search.calls == []


@pytest.mark.parametrize("params,expected", [
    ({"q": "pracodawca karta pobytu pesel"}, {"fees", "pesel", "employer-obligations"}),
    ({"q": "pracodawca karta pobytu pesel", "audience": "employer"}, {"fees", "pesel", "employer-obligations"}),
    ({"q": "pracodawca karta pobytu pesel", "audience": "foreigner"}, {"fees", "pesel"}),
    ({"q": "pracodawca karta pobytu pesel", "topic": "work"}, {"employer-obligations"}),
    ({"q": "pracodawca karta pobytu pesel", "topic": "documents-forms-and-fees"}, {"fees"}),
    ({"q": "pracodawca karta pobytu pesel", "topic": "other-frequent-questions", "audience": "foreigner"}, {"pesel"}),
    ({"q": "pracodawca karta pobytu pesel", "topic": "work", "audience": "foreigner"}, set()),
    ({"q": "pracodawca karta pobytu pesel", "topic": "other"}, set()),
])
def test_filters_by_audience_and_topic_section(signed_in, params, expected):
    res = signed_in.get("/consultant/api/search", params=params)
    assert res.status_code == 200
    assert {r["id"] for r in res.json()["results"]} == expected


def test_unknown_filters_are_rejected(signed_in):
    assert signed_in.get("/consultant/api/search", params={"q": "pesel", "topic": "nope"}).status_code == 422
    assert signed_in.get("/consultant/api/search", params={"q": "pesel", "audience": "martians"}).status_code == 422


def test_entries_outside_the_topics_file_go_by_tags_or_to_other():
    sections = load_sections()
    slugs = {s.slug for s in sections}
    assert {"residence-permits", "work", "documents-forms-and-fees", "other-frequent-questions"} <= slugs

    def entry(entry_id, *tags):
        return Entry(id=entry_id, audience=("foreigner",), tags=tags, checked=None, sources=(), related=())

    assert sections_of(entry("fees", "pesel"), sections) == ("documents-forms-and-fees",)  # listed: its own section
    assert sections_of(entry("pesel-ukr", "pesel-ukr"), sections) == ("other-frequent-questions",)
    assert sections_of(entry("pesel-ukr", "ukraine", "pesel-ukr"), sections) == ("entry-and-legal-stay",
                                                                                 "other-frequent-questions")
    assert sections_of(entry("visa-free-stay-extension", "visa-free"), sections) == ("entry-and-legal-stay",)
    assert sections_of(entry("something-new", "unrelated"), sections) == (OTHER,)


def test_search_is_unavailable_until_the_knowledge_is_loaded(signed_in, search):
    knowledge = signed_in.app.state.services.knowledge
    knowledge.ready = False
    try:
        assert signed_in.get("/consultant/api/search", params={"q": "pesel"}).status_code == 503
    finally:
        knowledge.ready = True


# --- escaping -------------------------------------------------------------------------------

def test_xss_in_a_query_is_escaped_in_html_and_plain_data_in_json(signed_in):
    page = signed_in.get("/consultant", params={"q": XSS})
    assert page.status_code == 200
    assert XSS not in page.text
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page.text
    res = signed_in.get("/consultant/api/search", params={"q": XSS})
    assert res.headers["content-type"].startswith("application/json")
    assert res.json()["query"] == XSS


def test_xss_in_the_sign_in_name_is_escaped(client):
    res = sign_in(client, username=XSS[:64], password="wrong password!")
    assert res.status_code == 401
    assert "<script>" not in res.text
    assert "&lt;script&gt;" in res.text


# --- command line ---------------------------------------------------------------------------

def test_cli_add_user_reads_the_password_from_stdin(tmp_path, monkeypatch, capsys):
    settings = Settings(data_dir=tmp_path)
    monkeypatch.setattr(consultant_cli, "get_settings", lambda: settings)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert consultant_cli.add_user_command(SimpleNamespace(username="Nowy.Konsultant")) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert consultant_cli.add_user_command(SimpleNamespace(username="nowy.konsultant")) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert consultant_cli.add_user_command(SimpleNamespace(username="another.one")) == 2
    accounts = AccountStore.from_url(settings.app_database_url, secret_key=settings.secret_key)
    assert accounts.authenticate("nowy.konsultant", PASSWORD).ok


def test_cli_ask_prints_the_answer_with_sources(search):
    out = io.StringIO()
    assert consultant_cli.answer_question(search, "numer pesel cudzoziemiec", "pl", out) == 0
    text = out.getvalue()
    assert "Numer PESEL dla cudzoziemca" in text
    assert "https://www.euraxess.pl/pl/poland/pracodawcy/pesel-cudzoziemca" in text
    none = io.StringIO()
    assert consultant_cli.answer_question(search, "zzzz qqqq", "en", none) == 1
    assert "No answer" in none.getvalue()

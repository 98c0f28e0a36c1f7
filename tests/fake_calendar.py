"""A fake of the Google Calendar API v3 and its token endpoint, over real HTTP on 127.0.0.1.

The real google-api-python-client talks to it, so the tests exercise the same
requests, batches, errors and refreshes as production. It keeps what Google
keeps (deleted events stay as ``cancelled`` and their ids stay taken), checks
bearer tokens and the scopes each method needs, and can misbehave on purpose:
an error status on every Nth request (with a Retry-After if asked), a
dropped connection after k requests, an answer lost after the call was done
(httplib2 then sends the request again by itself, as it does with Google), a
token endpoint that fails for a while. It judges an event's times as Google
does: each side a ``date`` or a ``dateTime`` (a PATCH that leaves both is a
400), and all-day dates fall in the calendar's own time zone when listing.

Scopes, as Google documents them:
- calendar.app.created: make secondary calendars, and read and write them and
  their events, only for calendars this app made;
- calendar.calendarlist.readonly: list the user's calendars (no events);
- calendar.events.owned: read and write events of calendars the user owns;
- calendar.freebusy: only the freeBusy query;
- calendar (full) allows everything.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

APP_CREATED = "https://www.googleapis.com/auth/calendar.app.created"
EVENTS_OWNED = "https://www.googleapis.com/auth/calendar.events.owned"
CALENDAR_LIST = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy"
FULL = "https://www.googleapis.com/auth/calendar"
EVENT_WRITERS = {FULL, FULL + ".events", EVENTS_OWNED}
EVENT_READERS = EVENT_WRITERS | {FULL + ".readonly", FULL + ".events.readonly", EVENTS_OWNED + ".readonly"}
FREEBUSY_SCOPES = {FULL, FULL + ".readonly", FREEBUSY, FULL + ".events.freebusy"}
LIST_SCOPES = {
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.calendarlist",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
}
_EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
_REASONS = {
    400: ("badRequest", "INVALID_ARGUMENT"),
    401: ("authError", "UNAUTHENTICATED"),
    403: ("forbidden", "PERMISSION_DENIED"),
    404: ("notFound", "NOT_FOUND"),
    409: ("duplicate", "ALREADY_EXISTS"),
    410: ("deleted", "GONE"),
    429: ("rateLimitExceeded", "RESOURCE_EXHAUSTED"),
    500: ("backendError", "INTERNAL"),
    503: ("backendError", "UNAVAILABLE"),
}


class ApiError(Exception):
    def __init__(self, status: int, message: str, reason: str | None = None):
        super().__init__(message)
        self.status, self.message = status, message
        self.reason = reason or _REASONS.get(status, ("error", "UNKNOWN"))[0]

    def body(self) -> dict:
        return {
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [{"domain": "global", "reason": self.reason, "message": self.message}],
                "status": _REASONS.get(self.status, ("", "UNKNOWN"))[1],
            }
        }


@dataclass
class Calendar:
    id: str
    summary: str
    time_zone: str
    primary: bool = False
    events: dict[str, dict] = field(default_factory=dict)
    description: str = ""
    by_app: bool = False  # made through calendars.insert, so calendar.app.created reaches it


class FakeCalendar:
    """The server's state, and the knobs tests turn."""

    def __init__(self, account: str = "runner@example.com"):
        self.account = account
        self.calendars: dict[str, Calendar] = {}
        self.add_calendar("primary", account, "Europe/London", primary=True)
        self.client_id = "fake-client.apps.googleusercontent.com"
        self.client_secret = "fake-client-secret-" + secrets.token_hex(8)
        self.refresh_token = "fake-refresh-token-" + secrets.token_hex(8)
        self.scopes = [APP_CREATED, CALENDAR_LIST]  # what the user allows at consent
        self.auth_code: str | None = "fake-auth-code-" + secrets.token_hex(8)
        self.tokens: dict[str, list[str]] = {}  # access token -> scopes
        self.invalid_grant = False
        self.log: list[tuple[str, str]] = []  # (method, path) of every HTTP request received
        self.writes = 0  # event inserts, patches, updates and deletes applied, batch parts included
        self.fail_every = 0  # answer every Nth API request with fail_status, without doing it
        self.fail_status = 503
        self.fail_reason: str | None = None  # e.g. "userRateLimitExceeded" with fail_status 403
        self.part_fail_every = 0  # the same, for every Nth call inside batches
        self.drop_after: int | None = None  # request k+1 is done but unanswered; later ones are refused
        self.lose_answers: set[int] = set()  # these request numbers are done but unanswered
        self.calls: list[tuple[str, str]] = []  # every API call, batch parts included
        self.max_results = 2500
        self.bare_deleted = False  # list deleted events as Google guarantees them: id and status only
        self.retry_after: str | None = None  # a Retry-After header on injected failures
        self.fail_parts: set[int] = set()  # these batch-part numbers fail (once each) with fail_status
        self.fail_requests: set[int] = set()  # these request numbers fail with fail_status, without being done
        self.token_failures: list[int] = []  # the next token requests answer these statuses (5xx, 429)
        self.on_request = None  # called for every API request (a test's clock moves here)
        self.busy: dict[str, list[tuple[str, str]]] = {}  # calendar id -> busy (start, end) RFC 3339, for freeBusy
        self.freebusy_queries: list[dict] = []  # the body of every freeBusy query
        self._lock = threading.RLock()
        self._api_requests = 0
        self._parts = 0
        self._seq = itertools.count(1)
        self.server: ThreadingHTTPServer | None = None

    # --- lifecycle -----------------------------------------------------------

    def start(self) -> FakeCalendar:
        fake = self

        class Handler(_Handler):
            state = fake

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def root(self) -> str:
        assert self.server
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    # --- test helpers --------------------------------------------------------

    def issue_token(self, scopes: list[str] | None = None) -> str:
        token = "fake-access-token-" + secrets.token_hex(8)
        with self._lock:
            self.tokens[token] = list(scopes or self.scopes)
        return token

    def token_info(self, scopes: list[str] | None = None, expiry: str | None = "2099-01-01T00:00:00Z") -> dict:
        """An authorized-user JSON, as ``syncplan auth`` would write it."""
        info = {
            "token": self.issue_token(scopes),
            "refresh_token": self.refresh_token,
            "token_uri": "https://oauth2.googleapis.com/token",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scopes": list(scopes or self.scopes),
        }
        if expiry:
            info["expiry"] = expiry
        return info

    def client_file(self) -> dict:
        """A Desktop-app OAuth client file, shaped as Google's (SYNCPLAN_GOOGLE_API_URL redirects its token_uri)."""
        return {
            "installed": {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "project_id": "syncplan-test",
                "auth_uri": "https://accounts.example/o/oauth2/auth",
                "token_uri": "https://oauth2.googleapis.com/token",
                "redirect_uris": ["http://localhost"],
            }
        }

    def secret_values(self) -> list[str]:
        return [self.client_secret, self.refresh_token, *self.tokens, *([self.auth_code] if self.auth_code else [])]

    def add_calendar(self, cid: str, summary: str, tz: str = "UTC", primary: bool = False) -> Calendar:
        self.calendars[cid] = Calendar(cid, summary, tz, primary)
        return self.calendars[cid]

    def calendar_named(self, summary: str) -> Calendar:
        found = [c for c in self.calendars.values() if c.summary == summary and not c.primary]
        assert len(found) == 1, f"{len(found)} calendars named {summary!r}"
        return found[0]

    def live(self, cid: str) -> dict[str, dict]:
        return {i: e for i, e in self.calendars[cid].events.items() if e.get("status") != "cancelled"}

    def reset_counts(self) -> None:
        with self._lock:
            self.log.clear()
            self.calls.clear()
            self.writes = 0
            self._api_requests = 0
            self._parts = 0

    def api_requests(self) -> list[tuple[str, str]]:
        return [r for r in self.log if r[1] != "/token"]

    def edit_by_hand(self, cid: str, event_id: str, **changes) -> None:
        with self._lock:
            _merge(self.calendars[cid].events[event_id], changes)

    def delete_by_hand(self, cid: str, event_id: str) -> None:
        with self._lock:
            self.calendars[cid].events[event_id]["status"] = "cancelled"

    def add_by_hand(self, cid: str, body: dict) -> dict:
        with self._lock:
            return self._insert(self.calendars[cid], copy.deepcopy(body))

    # --- the API -------------------------------------------------------------

    def dispatch(self, method: str, target: str, body: bytes, headers, part: bool = False) -> tuple[int, dict | None]:
        """One API call (top level or a batch part): status and JSON body."""
        url = urlsplit(target)
        query = parse_qs(url.query)
        path = unquote(url.path)
        with self._lock:
            self.calls.append((method, path))
            if part:
                self._parts += 1
                if (self.part_fail_every and self._parts % self.part_fail_every == 0) or self._parts in self.fail_parts:
                    self.fail_parts.discard(self._parts)
                    error = ApiError(self.fail_status, "Injected failure", self.fail_reason)
                    return error.status, error.body()
        try:
            scopes = self._authorise(headers)
            data = json.loads(body) if body.strip() else {}
            with self._lock:
                return self._route(method, path, query, data, scopes)
        except ApiError as exc:
            return exc.status, exc.body()

    def _authorise(self, headers) -> list[str]:
        auth = headers.get("Authorization") or headers.get("authorization") or ""
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else ""
        with self._lock:
            if token not in self.tokens:
                raise ApiError(401, "Request had invalid authentication credentials.", "authError")
            return self.tokens[token]

    def _route(self, method: str, path: str, query: dict, data: dict, scopes: list[str]) -> tuple[int, dict | None]:
        parts = path.strip("/").split("/")
        if parts[:2] != ["calendar", "v3"]:
            raise ApiError(404, f"No such API path {path}")
        rest = parts[2:]
        if rest == ["users", "me", "calendarList"] and method == "GET":
            _need(scopes, LIST_SCOPES)
            items = [
                {"kind": "calendar#calendarListEntry", "id": c.id, "summary": c.summary, "timeZone": c.time_zone,
                 "accessRole": "owner", **({"description": c.description} if c.description else {}),
                 **({"primary": True} if c.primary else {})}
                for c in self.calendars.values()
            ]
            return 200, {"kind": "calendar#calendarList", "items": items}
        if rest == ["freeBusy"] and method == "POST":
            _need(scopes, FREEBUSY_SCOPES)
            return 200, self._freebusy(data)
        if rest == ["calendars"] and method == "POST":
            _need(scopes, {APP_CREATED, FULL, FULL + ".calendars"})
            cid = f"{uuid.uuid4().hex}@group.calendar.google.com"
            cal = self.add_calendar(cid, data["summary"], data.get("timeZone", "UTC"))
            cal.description, cal.by_app = data.get("description", ""), True
            return 200, self._calendar(cal)
        if len(rest) == 2 and rest[0] == "calendars":
            cal = self.calendars.get(rest[1])
            if cal is None:
                raise ApiError(404, "Not Found", "notFound")
            _need(scopes, {FULL, FULL + ".calendars"} | ({APP_CREATED} if cal.by_app else set()))
            if method == "GET":
                return 200, self._calendar(cal)
            if method == "PATCH":
                cal.summary = data.get("summary", cal.summary)
                cal.description = data.get("description", cal.description)
                cal.time_zone = data.get("timeZone", cal.time_zone)
                return 200, self._calendar(cal)
            if method == "DELETE" and not cal.primary:
                del self.calendars[cal.id]
                return 204, None
        if len(rest) >= 3 and rest[0] == "calendars" and rest[2] == "events":
            cal = self.calendars.get(rest[1])
            if cal is None:
                raise ApiError(404, "Not Found", "notFound")
            allowed = (EVENT_READERS if method == "GET" else EVENT_WRITERS) | ({APP_CREATED} if cal.by_app else set())
            _need(scopes, allowed)
            if len(rest) == 3:
                if method == "GET":
                    return 200, self._list(cal, query)
                if method == "POST":
                    return 200, self._insert(cal, data)
            elif len(rest) == 4:
                return self._one(cal, method, rest[3], data)
        raise ApiError(404, f"No such API call {method} {path}")

    def _freebusy(self, data: dict) -> dict:
        """Busy blocks of ``self.busy`` clipped to [timeMin, timeMax), in UTC; an unknown calendar gets notFound."""
        self.freebusy_queries.append(data)
        low, high = _instant(data["timeMin"]), _instant(data["timeMax"])
        answer = {}
        for item in data.get("items", []):
            cid = item["id"]
            if cid not in self.calendars and cid not in self.busy:
                answer[cid] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
                continue
            blocks = []
            for a, b in sorted(self.busy.get(cid, [])):
                a, b = max(_instant(a), low), min(_instant(b), high)
                if a < b:
                    blocks.append({"start": a.strftime("%Y-%m-%dT%H:%M:%SZ"), "end": b.strftime("%Y-%m-%dT%H:%M:%SZ")})
            answer[cid] = {"busy": blocks}
        return {"kind": "calendar#freeBusy", "timeMin": data["timeMin"], "timeMax": data["timeMax"], "calendars": answer}

    @staticmethod
    def _calendar(cal: Calendar) -> dict:
        return {"kind": "calendar#calendar", "id": cal.id, "summary": cal.summary, "timeZone": cal.time_zone,
                "description": cal.description}

    def _list(self, cal: Calendar, query: dict) -> dict:
        show_deleted = query.get("showDeleted", ["false"])[0] == "true"
        time_min = _instant(query["timeMin"][0]) if "timeMin" in query else None
        time_max = _instant(query["timeMax"][0]) if "timeMax" in query else None
        wanted = [p.split("=", 1) for p in query.get("privateExtendedProperty", [])]
        items = []
        for event in sorted(cal.events.values(), key=lambda e: e["id"]):
            if event.get("status") == "cancelled" and not show_deleted:
                continue
            if event.get("status") == "cancelled" and self.bare_deleted:
                if not wanted:  # a property filter cannot match what has no properties
                    items.append({"kind": "calendar#event", "id": event["id"], "status": "cancelled", "etag": event["etag"]})
                continue
            start, end = _span(event, cal.time_zone)
            if (time_min and end <= time_min) or (time_max and start >= time_max):
                continue
            props = event.get("extendedProperties", {}).get("private", {})
            if any(props.get(k) != v for k, v in wanted):
                continue
            items.append(copy.deepcopy(event))
        size = min(int(query.get("maxResults", ["250"])[0]), self.max_results)
        offset = int(query.get("pageToken", ["0"])[0])
        page = {"kind": "calendar#events", "items": items[offset : offset + size]}
        if offset + size < len(items):
            page["nextPageToken"] = str(offset + size)
        return page

    def _insert(self, cal: Calendar, data: dict) -> dict:
        event_id = data.get("id") or uuid.uuid4().hex
        if not _EVENT_ID.match(event_id):
            raise ApiError(400, "Invalid resource id value.", "invalid")
        if event_id in cal.events:
            raise ApiError(409, "The requested identifier already exists.", "duplicate")
        _check_times(data)
        now = _now()
        event = {
            **data,
            "kind": "calendar#event",
            "id": event_id,
            "status": data.get("status", "confirmed"),
            "htmlLink": f"https://calendar.example/event?eid={event_id}",
            "created": now,
            "updated": now,
            "creator": {"email": self.account, "self": True},
            "organizer": {"email": cal.id, "self": True},
            "iCalUID": f"{event_id}@google.com",
            "sequence": 0,
            "etag": f'"{next(self._seq)}"',
        }
        cal.events[event_id] = event
        self.writes += 1
        return copy.deepcopy(event)

    def _one(self, cal: Calendar, method: str, event_id: str, data: dict) -> tuple[int, dict | None]:
        event = cal.events.get(event_id)
        if event is None:
            raise ApiError(404, "Not Found", "notFound")
        if method == "GET":
            return 200, copy.deepcopy(event)
        if method == "DELETE":
            if event.get("status") == "cancelled":
                raise ApiError(410, "Resource has been deleted", "deleted")
            event["status"] = "cancelled"
            self.writes += 1
            return 204, None
        if method in ("PATCH", "PUT"):
            if method == "PUT":
                kept = {k: event[k] for k in ("kind", "id", "created", "creator", "organizer", "iCalUID", "htmlLink")}
                changed = {"status": "confirmed", **data, **kept}
            else:
                changed = copy.deepcopy(event)
                _merge(changed, data)
            _check_times(changed)  # judged on the merged result: a PATCH may leave a dateTime beside a new date
            event.clear()
            event.update(changed)
            event["updated"] = _now()
            event["sequence"] += 1
            event["etag"] = f'"{next(self._seq)}"'
            self.writes += 1
            return 200, copy.deepcopy(event)
        raise ApiError(405, f"{method} not allowed")

    def token(self, form: dict) -> tuple[int, dict | str]:
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}
        if form.get("grant_type") == "authorization_code":
            # the consent a browser would give: one code, redeemable once, PKCE verifier required
            if form.get("code") != self.auth_code or not form.get("code_verifier"):
                return 400, {"error": "invalid_grant", "error_description": "Bad code or verifier."}
            self.auth_code = None
            token = self.issue_token(self.scopes)
            return 200, {"access_token": token, "refresh_token": self.refresh_token, "expires_in": 3599,
                         "scope": " ".join(self.scopes), "token_type": "Bearer"}
        if form.get("grant_type") != "refresh_token":
            return 400, {"error": "unsupported_grant_type"}
        if self.token_failures:
            status = self.token_failures.pop(0)
            if status == 502:  # Google's front end answers a bad gateway with an HTML page
                return status, "<html><title>Error 502 (Server Error)!!1</title></html>"
            return status, {"error": "temporarily_unavailable" if status >= 500 else "rate_limit_exceeded",
                            "error_description": "Try again later."}
        if self.invalid_grant or form.get("refresh_token") != self.refresh_token:
            return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        scopes = form["scope"].split() if form.get("scope") else self.scopes
        token = self.issue_token(scopes)
        return 200, {"access_token": token, "expires_in": 3599, "scope": " ".join(scopes), "token_type": "Bearer"}

    # --- fault injection ------------------------------------------------------

    def _count(self, method: str, path: str) -> str | None:
        """Record a request; say whether to 'fail' it, 'drop' it unanswered, or 'drop-after' doing it."""
        with self._lock:
            self.log.append((method, path))
            if path == "/token":
                return None
            if self.on_request:
                self.on_request()
            self._api_requests += 1
            n = self._api_requests
            if self.drop_after is not None and n > self.drop_after:
                return "drop-after" if n == self.drop_after + 1 else "drop"
            if n in self.lose_answers:
                return "drop-after"
            if (self.fail_every and n % self.fail_every == 0) or n in self.fail_requests:
                return "fail"
        return None


class _Handler(BaseHTTPRequestHandler):
    state: FakeCalendar
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        fault = self.state._count(self.command, path)
        if fault == "drop":
            return self._hang_up()
        if fault == "fail":
            status = self.state.fail_status
            return self._reply(status, ApiError(status, "Injected failure", self.state.fail_reason).body(),
                               retry_after=self.state.retry_after)
        if path == "/token":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):  # requests-oauthlib sends the client this way
                client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
                form.setdefault("client_id", unquote(client_id))
                form.setdefault("client_secret", unquote(client_secret))
            status, data = self.state.token(form)
            if isinstance(data, str):
                result = (status, "text/html", data.encode())
            else:
                result = (status, "application/json", json.dumps(data).encode())
        elif path == "/batch/calendar/v3":
            result = self._batch(body)
        else:
            status, data = self.state.dispatch(self.command, self.path, body, self.headers)
            result = (status, "application/json", json.dumps(data).encode() if data is not None else b"")
        if fault == "drop-after":
            return self._hang_up()
        self._send(*result)

    def _batch(self, body: bytes) -> tuple[int, str, bytes]:
        boundary = re.search(r'boundary="?([^";]+)"?', self.headers.get("Content-Type", ""))
        if not boundary:
            return 400, "application/json", json.dumps(ApiError(400, "Not a multipart batch").body()).encode()
        try:
            self.state._authorise(self.headers)
        except ApiError as exc:
            return exc.status, "application/json", json.dumps(exc.body()).encode()
        marker = boundary.group(1)
        out_boundary = "batch_" + secrets.token_hex(8)
        chunks = []
        for part in _parts(body.decode(), marker):
            headers, inner = _split_head(part)
            request_head, request_body = _split_head(inner)
            request_line, *header_lines = request_head.split("\n")
            method, target, _ = request_line.split(" ", 2)
            inner_headers = dict(line.split(": ", 1) for line in header_lines if ": " in line)
            if "Authorization" not in inner_headers and "authorization" not in inner_headers:
                inner_headers["Authorization"] = self.headers.get("Authorization", "")
            status, data = self.state.dispatch(method, target, request_body.encode(), inner_headers, part=True)
            content_id = headers.get("content-id", "<0>").strip("<>")
            payload = json.dumps(data) if data is not None else ""
            wait = f"Retry-After: {self.state.retry_after}\r\n" if status in (429, 503) and self.state.retry_after else ""
            chunks.append(
                f"--{out_boundary}\r\nContent-Type: application/http\r\nContent-ID: <response-{content_id}>\r\n\r\n"
                f"HTTP/1.1 {status} {'OK' if status < 300 else 'Error'}\r\n{wait}Content-Type: application/json; charset=UTF-8\r\n"
                f"Content-Length: {len(payload.encode())}\r\n\r\n{payload}\r\n"
            )
        chunks.append(f"--{out_boundary}--\r\n")
        return 200, f"multipart/mixed; boundary={out_boundary}", "".join(chunks).encode()

    def _reply(self, status: int, data: dict, retry_after: str | None = None) -> None:
        self._send(status, "application/json", json.dumps(data).encode(), retry_after)

    def _send(self, status: int, content_type: str, payload: bytes, retry_after: str | None = None) -> None:
        self.send_response(status)
        if retry_after and status in (429, 503):
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _hang_up(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass


def _need(scopes: list[str], allowed: set[str]) -> None:
    if not allowed & set(scopes):
        raise ApiError(403, "Request had insufficient authentication scopes.", "insufficientPermissions")


def _parts(text: str, boundary: str) -> list[str]:
    pieces = re.split(rf"(?:\r?\n)?--{re.escape(boundary)}(?:--)?[ \t]*\r?\n?", text)
    return [p for p in pieces if p.strip()]


def _split_head(text: str) -> tuple[dict | str, str]:
    """Headers and body of a MIME part or an HTTP message; headers as a dict for parts."""
    text = text.replace("\r\n", "\n")
    head, _, body = text.partition("\n\n")
    if head.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE ")):
        return head, body
    headers = {}
    for line in head.split("\n"):
        if ": " in line:
            k, v = line.split(": ", 1)
            headers[k.lower()] = v
    return headers, body


def _merge(target: dict, changes: dict) -> None:
    """PATCH as Google does it: objects merge field by field, a null removes the field."""
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _check_times(event: dict) -> None:
    """Google's 400s for an event's times: each side a date or a dateTime (never both), both sides alike."""
    forms = []
    for side in ("start", "end"):
        when = event.get(side)
        if not isinstance(when, dict):
            raise ApiError(400, f"Missing {side} time.", "required")
        present = [f for f in ("date", "dateTime") if when.get(f) is not None]
        if len(present) != 1:
            raise ApiError(400, f"Invalid {side} time.", "invalid")
        if present == ["date"]:
            try:
                date.fromisoformat(when["date"])
            except (TypeError, ValueError):
                raise ApiError(400, f"Invalid {side} time.", "invalid") from None
        else:
            _instant(when["dateTime"])  # a bad time is a 400, as at Google
        forms.append(present[0])
    if forms[0] != forms[1]:
        raise ApiError(400, "Start and end times must either both be date or both be dateTime.", "invalid")
    start, end = _span(event, "UTC")
    if end <= start:
        raise ApiError(400, "The specified time range is empty.", "timeRangeEmpty")


def _span(event: dict, calendar_zone: str) -> tuple[datetime, datetime]:
    """Start and end instants; Google reads an all-day event's dates as midnights in the calendar's zone."""

    def instant(when: dict) -> datetime:
        if when.get("dateTime") is not None:
            return _instant(when["dateTime"])
        day = date.fromisoformat(when["date"])
        return datetime.combine(day, datetime.min.time(), ZoneInfo(calendar_zone)).astimezone(timezone.utc)

    return instant(event["start"]), instant(event["end"])


def _instant(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ApiError(400, f"Invalid time {text!r}: needs an offset or Z", "invalid")
    return when.astimezone(timezone.utc)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")

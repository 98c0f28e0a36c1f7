"""The Calendar API adapter: find the calendar, list syncplan's events, apply actions.

It only carries out what ``sync.plan_sync`` decided, with the mechanics the API
needs: batches of at most 50 calls, per-call error handling, bounded retries
with jittered exponential backoff, and the one reconciliation the API forces
on us (a 409 on insert means an earlier try already made the event).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import time
from dataclasses import dataclass, field
from datetime import datetime

from syncplan.errors import AuthorisationNeeded, SyncplanError
from syncplan.events import Event
from syncplan.google.auth import REAUTH
from syncplan.google.resource import MARK, to_resource
from syncplan.google.sync import Action, Conflict, Create, Delete, Unchanged, Update, reconcile

BATCH_LIMIT = 50  # Google's documented maximum is 1000; 50 keeps one failure cheap
_RETRY_STATUSES = {429, 500, 502, 503, 504}
_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
_LIST_SCOPES = {
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.calendarlist",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
}
_SCOPE_REASONS = {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}


class CalendarGone(SyncplanError):
    """The remembered calendar no longer exists (deleted by the user)."""


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter, bounded in total time.

    ``SYNCPLAN_RETRY_BASE`` and ``SYNCPLAN_RETRY_LIMIT`` (seconds) tune it; tests
    make it tiny, cron jobs can make it patient.
    """

    base: float = 1.0
    cap: float = 32.0
    limit: float = 120.0
    sleep: object = time.sleep
    clock: object = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_env(cls) -> RetryPolicy:
        def seconds(name: str, default: float) -> float:
            try:
                return max(0.0, float(os.environ.get(name, default)))
            except ValueError:
                return default

        return cls(base=seconds("SYNCPLAN_RETRY_BASE", 1.0), limit=seconds("SYNCPLAN_RETRY_LIMIT", 120.0))

    def begin(self) -> Backoff:
        return Backoff(self, self.clock() + self.limit)


class Backoff:
    def __init__(self, policy: RetryPolicy, deadline: float):
        self.policy, self.deadline, self.attempt, self.last_error = policy, deadline, 0, ""

    def wait(self, error: str) -> bool:
        """Sleep before the next try; False once the time budget would be exceeded."""
        self.last_error = error
        p = self.policy
        delay = p.rng.uniform(0, min(p.cap, p.base * 2**self.attempt))
        self.attempt += 1
        if p.clock() + delay > self.deadline:
            return False
        p.sleep(delay)
        return True

    def succeeded(self) -> None:
        self.attempt = 0


@dataclass
class Applied:
    """What a run actually did: the actions as they turned out, and what was left undone."""

    done: list[Action] = field(default_factory=list)
    failed: list[tuple[Action, str]] = field(default_factory=list)


class CalendarClient:
    def __init__(self, credentials, root: str, retry: RetryPolicy | None = None, timeout: float = 60):
        import google_auth_httplib2
        import httplib2
        from googleapiclient.discovery import build

        self.root = root
        self.http = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout))
        self.service = build(
            "calendar",
            "v3",
            http=self.http,
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": root + "calendar/v3/"},
        )
        self.batch_uri = root + "batch/calendar/v3"
        self.account: str | None = None  # learnt from events Google says we created
        self.may_list_calendars = bool(_LIST_SCOPES & set(credentials.scopes or ()))
        self.backoff = (retry or RetryPolicy.from_env()).begin()

    # --- calendars -----------------------------------------------------------

    def find_calendar(self, name: str) -> str | None:
        """The id of the user's calendar called ``name``; None if the token may not list calendars."""
        page_token = None
        while True:
            try:
                page = self._call(self.service.calendarList().list(pageToken=page_token, minAccessRole="owner"))
            except AuthorisationNeeded:
                return None
            for entry in page.get("items", []):
                if entry.get("summary") == name:
                    return entry["id"]
            page_token = page.get("nextPageToken")
            if not page_token:
                return None

    def create_calendar(self, name: str, timezone: str) -> str:
        """Not retried after a lost connection: Google gives no way to make this idempotent."""
        body = {"summary": name, "timeZone": timezone, "description": "Training sessions synced by syncplan."}
        return self._call(self.service.calendars().insert(body=body), resend_after_hangup=False)["id"]

    # --- events --------------------------------------------------------------

    def list_events(self, calendar_id: str, window: tuple[datetime, datetime], plan: str) -> list[dict]:
        """syncplan's events for ``plan`` overlapping the window, deleted ones included."""
        events, page_token = [], None
        while True:
            request = self.service.events().list(
                calendarId=calendar_id,
                timeMin=window[0].isoformat(),
                timeMax=window[1].isoformat(),
                privateExtendedProperty=f"{MARK}={plan}",
                showDeleted=True,
                maxResults=2500,
                pageToken=page_token,
            )
            page = self._call(request, gone_is=CalendarGone)
            events.extend(page.get("items", []))
            for item in page.get("items", []):
                self._note_account(item)
            page_token = page.get("nextPageToken")
            if not page_token:
                return events

    def apply(self, calendar_id: str, actions: list[Action], overwrite_edits: bool = False, progress=None) -> Applied:
        """Carry out the writes among ``actions``, in batches; never raises for one failed call."""
        result = Applied(done=[a for a in actions if isinstance(a, (Unchanged, Conflict))])
        queue: list[tuple[str, Action]] = [("write", a) for a in actions if isinstance(a, (Create, Update, Delete))]
        while queue:
            chunk, queue = queue[:BATCH_LIMIT], queue[BATCH_LIMIT:]
            answers = self._batch(calendar_id, chunk)
            if answers is None:  # out of retry time with the batch itself failing
                result.failed.extend((a, self.backoff.last_error) for _, a in chunk + queue)
                return result
            again: list[tuple[str, Action]] = []
            throttled = 0
            for (step, action), (response, error) in zip(chunk, answers):
                follow = self._settle(step, action, response, error, overwrite_edits, result)
                if follow is None:
                    if progress:
                        progress(1)
                    continue
                again.append(follow[:2])
                throttled += follow[2]
            if throttled and not self.backoff.wait(f"{throttled} calls throttled or failing"):
                result.failed.extend((a, self.backoff.last_error) for _, a in again + queue)
                return result
            queue = again + queue
        return result

    def _settle(self, step: str, action: Action, response, error, overwrite_edits: bool, result: Applied):
        """Record one call's outcome; return (step, action, transient) when there is more to do."""
        if error is None:
            self._note_account(response)
            if step != "fetch":
                result.done.append(action)
                return None
            settled = reconcile(action.event, response, overwrite_edits)
            if isinstance(settled, Unchanged):
                result.done.append(action)  # an earlier try made it; its answer was lost
            elif isinstance(settled, Conflict):
                result.done.append(settled)
            else:
                return ("write", settled, False)
            return None
        status, reason = _status(error)
        if _transient(status, reason):
            return (step, action, True)
        if status == 409 and isinstance(action, Create):
            return ("fetch", action, False)
        if status in (404, 410) and isinstance(action, Delete):
            result.done.append(action)  # already gone
            return None
        if status == 401 or reason in _SCOPE_REASONS:
            raise AuthorisationNeeded(f"Google refused syncplan's token ({status} {reason}). {REAUTH}")
        result.failed.append((action, f"{status} {reason}".strip()))
        return None

    def _note_account(self, event) -> None:
        creator = event.get("creator") if isinstance(event, dict) else None
        if creator and creator.get("self") and creator.get("email"):
            self.account = creator["email"]

    def _batch(self, calendar_id: str, chunk: list[tuple[str, Action]]):
        from googleapiclient.http import BatchHttpRequest

        while True:
            answers: dict[str, tuple] = {}
            batch = BatchHttpRequest(callback=lambda rid, resp, exc: answers.__setitem__(rid, (resp, exc)), batch_uri=self.batch_uri)
            for i, (step, action) in enumerate(chunk):
                batch.add(self._request(calendar_id, step, action), request_id=str(i))
            try:
                batch.execute(http=self.http)
            except Exception as exc:
                if not self._retry_or_raise(exc):
                    return None
                continue
            self.backoff.succeeded()
            return [answers.get(str(i), (None, _Missing())) for i in range(len(chunk))]

    def _request(self, calendar_id: str, step: str, action: Action):
        events = self.service.events()
        if step == "fetch":
            return events.get(calendarId=calendar_id, eventId=action.event_id)
        if isinstance(action, Create):
            return events.insert(calendarId=calendar_id, body=to_resource(action.event))
        if isinstance(action, Update):
            return events.patch(calendarId=calendar_id, eventId=action.event_id, body=_patch_body(action.event))
        return events.delete(calendarId=calendar_id, eventId=action.event_id)

    def _call(self, request, gone_is=None, resend_after_hangup: bool = True):
        """One API call, retried while transient and time allows."""
        while True:
            try:
                response = request.execute(http=self.http)
            except Exception as exc:
                status, _ = _status(exc)
                if gone_is is not None and status == 404:
                    raise gone_is("the calendar is gone") from None
                if not resend_after_hangup and _connection_error(exc):
                    raise SyncplanError(
                        f"the connection to Google broke while creating a calendar ({type(exc).__name__}). "
                        f"Run `syncplan sync` again; if Google then shows two calendars of that name, delete the empty one."
                    ) from None
                if not self._retry_or_raise(exc):
                    raise SyncplanError(
                        f"Google did not answer within syncplan's retry limit of {self.backoff.policy.limit:g} s "
                        f"(last: {self.backoff.last_error}); no events were changed. Run `syncplan sync` again later."
                    ) from None
                continue
            self.backoff.succeeded()
            return response

    def _retry_or_raise(self, exc: Exception) -> bool:
        """Wait and say True for a transient failure; raise for anything a retry cannot fix."""
        from google.auth.exceptions import RefreshError

        if isinstance(exc, RefreshError):
            from syncplan.google.auth import refusal

            raise AuthorisationNeeded(refusal(exc)) from None
        status, reason = _status(exc)
        if status is None and not _connection_error(exc):
            raise exc
        if status is not None and not _transient(status, reason):
            if status == 401 or reason in _SCOPE_REASONS:
                raise AuthorisationNeeded(f"Google refused syncplan's token ({status} {reason}). {REAUTH}") from None
            raise SyncplanError(f"Google answered {status} {reason}: {_message(exc)}") from None
        return self.backoff.wait(f"{status} {reason}" if status else f"connection error ({type(exc).__name__})")


class _Missing(Exception):
    """A batch answer without a part for one of its calls."""


def _patch_body(event: Event) -> dict:
    body = to_resource(event)
    del body["id"]
    # A hand edit may have made the event all-day; PATCH merges, so clear the date form.
    for side in ("start", "end"):
        body[side]["date"] = None
    return body


def _status(exc) -> tuple[int | None, str]:
    from googleapiclient.errors import HttpError

    if isinstance(exc, _Missing):
        return 500, "missing batch part"
    if not isinstance(exc, HttpError):
        return None, ""
    reason = ""
    try:
        error = json.loads(exc.content).get("error", {})
        details = error.get("errors") or []
        reason = (details[0].get("reason") if details else "") or error.get("status", "")
    except (ValueError, AttributeError, TypeError):
        pass
    return exc.resp.status, reason


def _message(exc) -> str:
    try:
        return json.loads(exc.content)["error"]["message"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return type(exc).__name__


def _transient(status: int | None, reason: str) -> bool:
    return status in _RETRY_STATUSES or (status == 403 and reason in _RATE_REASONS)


def _connection_error(exc: Exception) -> bool:
    import httplib2

    return isinstance(exc, (OSError, http.client.HTTPException, httplib2.HttpLib2Error))

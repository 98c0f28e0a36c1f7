"""The Calendar API adapter: find the calendar, list syncplan's events, apply actions.

It only carries out what ``sync.plan_sync`` decided, with the mechanics the API
needs: batches of at most 50 calls, per-call error handling, retries (the API
client's own for single calls, a growing backoff across batches, each failing
operation with its own time budget), and the one reconciliation the API forces
on us (a 409 on insert means an earlier try already made the event).
"""

from __future__ import annotations

import http.client
import os
import random
import time
from dataclasses import dataclass, field
from datetime import datetime

from syncplan.errors import AuthorisationNeeded, SyncplanError
from syncplan.events import Event
from syncplan.google.auth import APP_CREATED, EVENTS_OWNED, REAUTH, TEMPORARY
from syncplan.google.resource import DELETED, MARK, private, to_resource
from syncplan.google.sync import Action, Conflict, Create, Delete, Unchanged, Update, reconcile

BATCH_LIMIT = 50  # Google's documented maximum is 1000; 50 keeps one failure cheap
_RETRY_STATUSES = {429, 500, 502, 503, 504}
_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
_QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
_SCOPE_REASONS = {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}
LEGACY_DESCRIPTION = "Training sessions synced by syncplan."
_MARKER = "syncplan plan: "


def calendar_description(identity: str) -> str:
    """The marker that makes syncplan's calendar findable through the calendar list, whatever its display name."""
    return f"{LEGACY_DESCRIPTION}\n{_MARKER}{identity}"


def marked_for(entry: dict) -> str | None:
    for line in (entry.get("description") or "").splitlines():
        if line.startswith(_MARKER):
            return line[len(_MARKER) :].strip()
    return None


class CalendarGone(SyncplanError):
    """The remembered calendar no longer exists (deleted by the user)."""


class NoAnswer(SyncplanError):
    """Retries ran out; ``answer_lost`` when the last try got no answer at all (Google may have acted)."""

    answer_lost = False


class QuotaExceeded(SyncplanError):
    """Google's quota for the project is used up: every further call would fail too."""


@dataclass
class RetryPolicy:
    """Exponential backoff with equal jitter, ``base`` to ``cap`` per wait, ``limit`` per failing operation.

    ``SYNCPLAN_RETRY_BASE`` and ``SYNCPLAN_RETRY_LIMIT`` (seconds) tune it; the
    cap is 32 times the base. Tests and the benchmark make the base tiny and
    inject ``sleep``/``clock``; cron jobs can make it patient.
    """

    base: float = 1.0
    cap: float | None = None
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

    @property
    def longest(self) -> float:
        return self.cap if self.cap is not None else 32 * self.base

    def begin(self) -> Backoff:
        return Backoff(self)

    def library_retries(self) -> int:
        """For ``HttpRequest.execute(num_retries=n)``: the most retries whose worst-case waits fit the limit.

        The library waits ``rand() * 2**k`` before retry k; with ``rand`` scaled
        by the base, n retries wait at most ``base * (2**(n+1) - 2)``.
        """
        if self.base <= 0:
            return 5
        n = 0
        while n < 10 and self.base * (2 ** (n + 2) - 2) <= self.limit:
            n += 1
        return n


class Backoff:
    """The waits of one failing operation: they grow while it keeps failing; its budget starts at its first failure."""

    def __init__(self, policy: RetryPolicy):
        self.policy, self.attempt, self.deadline, self.last_error = policy, 0, None, ""

    def wait(self, error: str, retry_after: float | None = None) -> bool:
        """Sleep before the next try; False once the time budget would be exceeded."""
        p = self.policy
        self.last_error = error
        if self.deadline is None:
            self.deadline = p.clock() + p.limit
        ceiling = min(p.longest, p.base * 2**self.attempt)
        delay = ceiling / 2 + p.rng.uniform(0, ceiling / 2)
        if retry_after is not None:
            delay = max(delay, retry_after)
        self.attempt += 1
        if p.clock() + delay > self.deadline:
            return False
        p.sleep(delay)
        return True

    def succeeded(self) -> None:
        """The operation is over: the next failure is a new one, with a whole budget."""
        self.attempt, self.deadline = 0, None


@dataclass
class Applied:
    """What a run actually did: the actions as they turned out, and what was left undone."""

    done: list[Action] = field(default_factory=list)
    failed: list[tuple[Action, str]] = field(default_factory=list)


class CalendarClient:
    def __init__(self, credentials, root: str, retry: RetryPolicy | None = None, timeout: float = 60, may_list: bool = False):
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
        self.may_list_calendars = may_list
        self.policy = retry or RetryPolicy.from_env()
        self.events_scope = APP_CREATED  # EVENTS_OWNED when writing into an existing calendar

    # --- calendars -----------------------------------------------------------

    def own_calendars(self, identity: str, name: str) -> list[dict]:
        """syncplan's calendars for this plan: marked with its identity, else (made before markers) its name."""
        from syncplan.google.auth import CALENDAR_LIST

        entries, page_token = [], None
        while True:
            page = self._call(self.service.calendarList().list(pageToken=page_token, minAccessRole="owner"), scope=CALENDAR_LIST)
            entries.extend(page.get("items", []))
            page_token = page.get("nextPageToken")
            if not page_token:
                break
        marked = [e for e in entries if marked_for(e) == identity]
        if marked:
            return marked
        return [
            e
            for e in entries
            if marked_for(e) is None and e.get("summary") == name and (e.get("description") or "").strip() == LEGACY_DESCRIPTION
        ]

    def holds_events(self, calendar_id: str, identity: str | None = None) -> bool:
        """Any live event of the plan's (or, without ``identity``, any at all: the user may have added some)."""
        query = {"privateExtendedProperty": f"{MARK}={identity}"} if identity else {}
        request = self.service.events().list(calendarId=calendar_id, maxResults=1, **query)
        return bool(self._call(request, scope=self.events_scope).get("items"))

    def create_calendar(self, name: str, timezone: str, identity: str) -> str:
        """Marked with the plan's identity, so that a lost answer (httplib2 re-sends the POST) is found and tidied next run."""
        body = {"summary": name, "timeZone": timezone, "description": calendar_description(identity)}
        return self._call(self.service.calendars().insert(body=body), scope=APP_CREATED)["id"]

    def mark_calendar(self, calendar_id: str, name: str, identity: str) -> None:
        """Give the calendar the plan's display name and marker (a rename, or adopting a calendar made before markers)."""
        body = {"summary": name, "description": calendar_description(identity)}
        self._call(self.service.calendars().patch(calendarId=calendar_id, body=body), scope=APP_CREATED)

    def delete_calendar(self, calendar_id: str) -> None:
        """Gone already is fine: httplib2 re-sends a DELETE whose answer was lost."""
        try:
            self._call(self.service.calendars().delete(calendarId=calendar_id), gone_is=CalendarGone, scope=APP_CREATED)
        except CalendarGone:
            pass

    # --- events ---------------------------------------------------------------

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
            page = self._call(request, gone_is=CalendarGone, scope=self.events_scope)
            events.extend(page.get("items", []))
            for item in page.get("items", []):
                self._note_account(item)
            page_token = page.get("nextPageToken")
            if not page_token:
                return events

    def peek(self, calendar_id: str, event_ids: list[str]) -> dict[str, dict]:
        """What Google holds under these ids (a listing may leave out deleted events): for ``--dry-run``."""
        found: dict[str, dict] = {}
        for at in range(0, len(event_ids), BATCH_LIMIT):
            chunk = event_ids[at : at + BATCH_LIMIT]
            answers = self._batch_of([self.service.events().get(calendarId=calendar_id, eventId=i) for i in chunk], self.policy.begin())
            for event_id, (response, error) in zip(chunk, answers or []):
                if error is None and response:
                    found[event_id] = response
        return found

    def apply(self, calendar_id: str, actions: list[Action], overwrite_edits: bool = False, progress=None) -> Applied:
        """Carry out the writes among ``actions``, in batches; never raises for one failed call.

        Throttled calls go back in the queue and the wait before the next
        batch doubles while batches keep coming back throttled; a clean batch
        ends that streak. A ``quotaExceeded`` stops the run: every later call
        would be refused as well.
        """
        result = Applied(done=[a for a in actions if isinstance(a, (Unchanged, Conflict))])
        queue: list[tuple[str, Action]] = [
            ("mark" if isinstance(a, Delete) else "write", a) for a in actions if isinstance(a, (Create, Update, Delete))
        ]
        backoff = self.policy.begin()
        while queue:
            chunk, queue = queue[:BATCH_LIMIT], queue[BATCH_LIMIT:]
            answers = self._batch(calendar_id, chunk, backoff)
            if answers is None:  # out of retry time with the batch itself failing
                result.failed.extend((a, backoff.last_error) for _, a in chunk + queue)
                return result
            again: list[tuple[str, Action]] = []
            throttled, hint, quota = 0, None, None
            for (step, action), (response, error) in zip(chunk, answers):
                follow = self._settle(step, action, response, error, overwrite_edits, result)
                if follow is None:
                    if progress:
                        progress(1)
                    continue
                next_step, next_action, kind, wait_hint = follow
                again.append((next_step, next_action))
                if kind == "quota":
                    quota = wait_hint
                elif kind == "transient":
                    throttled += 1
                    if wait_hint is not None:
                        hint = max(hint or 0.0, wait_hint)
            if quota is not None:
                why = "Google's daily quota for this OAuth client is used up (quotaExceeded); " + TEMPORARY
                result.failed.extend((a, why) for _, a in again + queue)
                return result
            if not throttled:
                backoff.succeeded()
            elif not backoff.wait(f"{throttled} calls throttled or failing", hint):
                result.failed.extend((a, backoff.last_error) for _, a in again + queue)
                return result
            queue = again + queue
        return result

    def _settle(self, step: str, action: Action, response, error, overwrite_edits: bool, result: Applied):
        """Record one call's outcome; return (step, action, kind, retry_after) when there is more to do."""
        if error is None:
            self._note_account(response)
            if step == "mark":
                return ("write", action, "", None)  # marked as syncplan's own deletion; now delete it
            if step != "fetch":
                result.done.append(action)
                return None
            settled = reconcile(action.event, response, overwrite_edits)
            if isinstance(settled, Unchanged):
                result.done.append(action)  # an earlier try made it; its answer was lost
            elif isinstance(settled, Conflict):
                result.done.append(settled)
            else:
                return ("write", settled, "", None)
            return None
        status, reason = _status(error)
        if reason in _QUOTA_REASONS:
            return (step, action, "quota", 0.0)
        if _transient(status, reason):
            return (step, action, "transient", _retry_after(error))
        if status == 409 and isinstance(action, Create):
            return ("fetch", action, "", None)
        if status in (404, 410) and isinstance(action, Delete):
            result.done.append(action)  # already gone
            return None
        if status == 401 or reason in _SCOPE_REASONS:
            raise self._refused(status, reason, self.events_scope)
        result.failed.append((action, f"{status} {reason}".strip()))
        return None

    def _note_account(self, event) -> None:
        creator = event.get("creator") if isinstance(event, dict) else None
        if creator and creator.get("self") and creator.get("email"):
            self.account = creator["email"]

    def _batch(self, calendar_id: str, chunk: list[tuple[str, Action]], backoff: Backoff):
        return self._batch_of([self._request(calendar_id, step, action) for step, action in chunk], backoff)

    def _batch_of(self, requests: list, backoff: Backoff):
        """(response, error) per request; None when the batch itself kept failing past the budget."""
        from googleapiclient.http import BatchHttpRequest

        while True:
            answers: dict[str, tuple] = {}
            batch = BatchHttpRequest(callback=lambda rid, resp, exc: answers.__setitem__(rid, (resp, exc)), batch_uri=self.batch_uri)
            for i, request in enumerate(requests):
                batch.add(request, request_id=str(i))
            try:
                batch.execute(http=self.http)
            except Exception as exc:
                if not self._retry_or_raise(exc, backoff):
                    return None
                continue
            return [answers.get(str(i), (None, _Missing())) for i in range(len(requests))]

    def _request(self, calendar_id: str, step: str, action: Action):
        events = self.service.events()
        if step == "fetch":
            return events.get(calendarId=calendar_id, eventId=action.event_id)
        if step == "mark":
            props = {**private(action.remote), DELETED: "1"}
            return events.patch(calendarId=calendar_id, eventId=action.event_id, body={"extendedProperties": {"private": props}})
        if isinstance(action, Create):
            return events.insert(calendarId=calendar_id, body=to_resource(action.event))
        if isinstance(action, Update):
            return events.patch(calendarId=calendar_id, eventId=action.event_id, body=_patch_body(action.event))
        return events.delete(calendarId=calendar_id, eventId=action.event_id)

    def _call(self, request, gone_is=None, scope: str = APP_CREATED):
        """One API call; the library retries transient failures (``num_retries``) with our sleep and base."""
        from google.auth.exceptions import RefreshError

        policy = self.policy
        watch = _RetryAfter(self.http)
        spent = [0.0]

        def sleep(delay: float) -> None:
            wait = max(delay, watch.seconds or 0.0)
            if spent[0] + wait > policy.limit:
                raise _OutOfTime(watch.last)
            spent[0] += wait
            policy.sleep(wait)

        request._sleep = sleep
        request._rand = lambda: policy.base * policy.rng.random()
        try:
            return request.execute(http=watch, num_retries=policy.library_retries())
        except _OutOfTime as exc:
            raise NoAnswer(
                f"Google asked syncplan to wait longer than its retry limit of {policy.limit:g} s "
                f"(last: {exc.args[0]}); {TEMPORARY}: run `syncplan sync` again."
            ) from None
        except RefreshError as exc:
            from syncplan.google.auth import refresh_failure

            raise refresh_failure(exc) from None
        except Exception as exc:
            status, reason = _status(exc)
            if status is None and not _connection_error(exc):
                raise
            if gone_is is not None and status == 404:
                raise gone_is("the calendar is gone") from None
            if status == 401 or reason in _SCOPE_REASONS:
                raise self._refused(status, reason, scope) from None
            if reason in _QUOTA_REASONS:
                raise QuotaExceeded(f"Google's daily quota for this OAuth client is used up ({reason}); {TEMPORARY}.") from None
            if status is None or _transient(status, reason):
                last = f"{status} {reason}" if status else f"connection error ({type(exc).__name__})"
                error = NoAnswer(
                    f"Google did not answer within syncplan's retries (last: {last}); {TEMPORARY}: "
                    f"run `syncplan sync` again, it picks up where this run stopped."
                )
                error.answer_lost = status is None
                raise error from None
            raise SyncplanError(f"Google answered {status} {reason}: {_message(exc)}") from None

    def _retry_or_raise(self, exc: Exception, backoff: Backoff) -> bool:
        """Wait and say True for a transient failure; raise for anything a retry cannot fix."""
        from google.auth.exceptions import RefreshError

        if isinstance(exc, RefreshError):
            from syncplan.google.auth import refresh_failure

            raise refresh_failure(exc) from None
        status, reason = _status(exc)
        if status is None and not _connection_error(exc):
            raise exc
        if reason in _QUOTA_REASONS:
            raise QuotaExceeded(f"Google's daily quota for this OAuth client is used up ({reason}); {TEMPORARY}.") from None
        if status is not None and not _transient(status, reason):
            if status == 401 or reason in _SCOPE_REASONS:
                raise self._refused(status, reason, self.events_scope) from None
            raise SyncplanError(f"Google answered {status} {reason}: {_message(exc)}") from None
        error = f"{status} {reason}" if status else f"connection error ({type(exc).__name__})"
        return backoff.wait(error, _retry_after(exc))

    def _refused(self, status, reason: str, scope: str) -> AuthorisationNeeded:
        from syncplan.google.auth import WHY, _short

        if status == 401:
            return AuthorisationNeeded(f"Google refused syncplan's token ({status}). {REAUTH}")
        command = "syncplan auth --calendar primary" if scope == EVENTS_OWNED else "syncplan auth"
        return AuthorisationNeeded(
            f"Google refused the call for lack of permission ({reason}): it needs the {_short(scope)} scope, "
            f"for {WHY[scope]}. Run `{command}` to grant it."
        )


class _Missing(Exception):
    """A batch answer without a part for one of its calls."""


class _OutOfTime(Exception):
    """Raised from the library's sleep: the next wait would break the operation's time budget."""


class _RetryAfter:
    """The http of one single call: keeps the last answer's Retry-After, so the library's waits can honour it."""

    def __init__(self, http):
        self._http, self.seconds, self.last = http, None, ""

    def request(self, *args, **kwargs):
        self.seconds = None
        resp, content = self._http.request(*args, **kwargs)
        if resp.status in (429, 503):
            self.seconds = _seconds(resp.get("retry-after"))
        self.last = str(resp.status)
        return resp, content

    def __getattr__(self, name):
        return getattr(self._http, name)


def _patch_body(event: Event) -> dict:
    body = to_resource(event)
    del body["id"]
    # A hand edit may have switched the event between all-day and timed; PATCH
    # merges, and Google refuses a date beside a dateTime, so clear the other form.
    for side in ("start", "end"):
        if event.all_day:
            body[side].update(dateTime=None, timeZone=None)
        else:
            body[side]["date"] = None
    return body


def _status(exc) -> tuple[int | None, str]:
    """Status and Google's first error reason, from what HttpError already parsed."""
    from googleapiclient.errors import HttpError

    if isinstance(exc, _Missing):
        return 500, "missing batch part"
    if not isinstance(exc, HttpError):
        return None, ""
    details = exc.error_details
    reason = ""
    if isinstance(details, list) and details and isinstance(details[0], dict):
        reason = str(details[0].get("reason") or details[0].get("@type") or "")
    return exc.status_code, reason


def _retry_after(exc) -> float | None:
    """Seconds from a Retry-After header (the form Google sends); an HTTP date is left to the backoff."""
    resp = getattr(exc, "resp", None)
    return _seconds(resp.get("retry-after")) if resp is not None else None


def _seconds(value) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def _message(exc) -> str:
    return getattr(exc, "reason", "") or type(exc).__name__


def _transient(status: int | None, reason: str) -> bool:
    return status in _RETRY_STATUSES or (status == 403 and reason in _RATE_REASONS)


def _connection_error(exc: Exception) -> bool:
    import httplib2

    return isinstance(exc, (OSError, http.client.HTTPException, httplib2.HttpLib2Error))

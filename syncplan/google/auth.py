"""Google authorisation: the one-time browser consent, and the token file after it.

The token file is authorized-user JSON (what google-auth reads and writes),
created with mode 0600 and replaced atomically, so a crash or a concurrent
reader never sees half a secret. Nothing here prints a token or a secret.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from syncplan.errors import AuthorisationNeeded, InvalidInput, SyncplanError

APP_CREATED = "https://www.googleapis.com/auth/calendar.app.created"
EVENTS_OWNED = "https://www.googleapis.com/auth/calendar.events.owned"
GOOGLE_ROOT = "https://www.googleapis.com/"
_FULL = "https://www.googleapis.com/auth/calendar"
_COVERED_BY = {  # a token made for a broader scope (by another tool, say) will do
    APP_CREATED: {APP_CREATED, _FULL},
    EVENTS_OWNED: {EVENTS_OWNED, _FULL + ".events", _FULL},
}

_BROWSER_PROMPT = "Opening your browser to ask for access. If it does not open, use this URL:\n\n    {url}\n"
_URL_PROMPT = (
    "Open this URL in a browser and allow access:\n\n    {url}\n\n"
    "Waiting on the 127.0.0.1 port named in the URL; over SSH, forward it first (ssh -L PORT:127.0.0.1:PORT host).\n"
)
REAUTH = "Run `syncplan auth` on a machine with a browser (then copy the token file here if this one has none)."


def api_root() -> str:
    """``SYNCPLAN_GOOGLE_API_URL`` replaces Google's root for every call, batch and token refresh."""
    root = os.environ.get("SYNCPLAN_GOOGLE_API_URL", "").strip()
    if not root:
        return GOOGLE_ROOT
    return root if root.endswith("/") else root + "/"


def token_path(override: Path | str | None = None) -> Path:
    from syncplan.paths import data_dir

    if override:
        return Path(override).expanduser()
    env = os.environ.get("SYNCPLAN_TOKEN_FILE")
    return Path(env).expanduser() if env else data_dir() / "token.json"


def default_credentials_path() -> Path:
    from syncplan.paths import config_dir

    return config_dir() / "credentials.json"


def scopes_for(calendar: str | None) -> list[str]:
    """Least privilege: syncplan's own calendar needs only app.created; an existing one needs events.owned."""
    if calendar and is_calendar_id(calendar):
        return [APP_CREATED, EVENTS_OWNED]
    return [APP_CREATED]


def is_calendar_id(calendar: str) -> bool:
    """``primary`` and ids (which contain an @) name existing calendars; anything else is a name."""
    return calendar == "primary" or "@" in calendar


def authorise(credentials_file: Path, token_file: Path, scopes: list[str], open_browser: bool, say) -> None:
    """Installed-app flow on a free loopback port of 127.0.0.1 (PKCE as the library does it)."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    if not credentials_file.is_file():
        raise InvalidInput(
            f"{credentials_file}: no OAuth client file. Create a Desktop-app OAuth client in the Google Cloud "
            f"console (see the README and credentials.example.json), download its JSON to that path, "
            f"or pass --credentials FILE."
        )
    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(credentials_file), scopes=scopes)
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            f"{credentials_file}: not a Desktop-app OAuth client file ({exc}); compare it with credentials.example.json."
        ) from None
    root = api_root()
    if root != GOOGLE_ROOT:
        flow.client_config["token_uri"] = root + "token"
    prompt = _BROWSER_PROMPT if open_browser else _URL_PROMPT
    try:
        with _plain_http_allowed(root):
            credentials = flow.run_local_server(
                host="127.0.0.1",
                port=0,
                open_browser=open_browser,
                authorization_prompt_message=prompt,
                success_message="syncplan is authorised. You can close this tab.",
                timeout_seconds=600,
            )
    except Exception as exc:  # the library raises assorted types for a refused or abandoned consent
        raise AuthorisationNeeded(f"authorisation did not complete ({type(exc).__name__}). {REAUTH}") from None
    save(credentials, token_file)
    say(f"Saved the Google token to {token_file} (mode 0600).")


@contextmanager
def _plain_http_allowed(root: str):
    """oauthlib insists on https; a local emulator on the loopback interface speaks plain http."""
    host = urlsplit(root).hostname
    if not (root.startswith("http://") and host in ("127.0.0.1", "localhost", "::1")):
        yield
        return
    before = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["OAUTHLIB_INSECURE_TRANSPORT"]
        else:
            os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = before


def load(token_file: Path, needed: list[str]):
    """Credentials that can call the API now: refreshed if due, saved back, or AuthorisationNeeded."""
    from google.auth.exceptions import RefreshError, TransportError
    from google.oauth2.credentials import Credentials

    info = _read(token_file)
    try:
        credentials = Credentials.from_authorized_user_info(info)
    except ValueError:
        raise AuthorisationNeeded(f"{token_file}: not a syncplan token file. {REAUTH}") from None
    missing = [s for s in needed if not _COVERED_BY[s] & set(credentials.scopes or ())]
    if missing:
        raise AuthorisationNeeded(
            f"{token_file}: the token does not allow {', '.join(_short(s) for s in missing)}, which "
            f"{'syncing into an existing calendar (--calendar primary|ID)' if EVENTS_OWNED in missing else 'syncplan'} needs. "
            f"Run `syncplan auth{' --calendar primary' if EVENTS_OWNED in missing else ''}` to authorise again."
        )
    root = api_root()
    if root != GOOGLE_ROOT:
        expiry = credentials.expiry
        credentials = credentials.with_token_uri(root + "token")
        credentials.expiry = expiry  # the copy drops it (google-auth 2.63), which would skip a due refresh
    if not credentials.valid:
        from google.auth.transport.requests import Request

        try:
            credentials.refresh(Request())
        except RefreshError as exc:
            raise AuthorisationNeeded(refusal(exc, token_file)) from None
        except TransportError as exc:
            raise SyncplanError(f"could not reach Google to refresh the token ({_kind(exc)}); try again later.") from None
        save(credentials, token_file)
    return credentials


def save(credentials, token_file: Path) -> None:
    from syncplan.files import atomic_write

    info = json.loads(credentials.to_json())
    info["token_uri"] = "https://oauth2.googleapis.com/token"  # never persist a test or emulator endpoint
    token_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(token_file, json.dumps(info, indent=2).encode(), mode=0o600)


def save_if_refreshed(credentials, token_file: Path, token_before: str | None) -> None:
    """A refresh during the run (after a 401) happens inside the library; keep its result."""
    if credentials.token and credentials.token != token_before:
        save(credentials, token_file)


def record_account(token_file: Path, account: str) -> None:
    """Remember whose calendar this is, for `auth --status`; the scopes give no other way to learn it."""
    from syncplan.files import atomic_write

    info = _read(token_file)
    if info.get("account") != account:
        info["account"] = account
        atomic_write(token_file, json.dumps(info, indent=2).encode(), mode=0o600)


@dataclass(frozen=True)
class TokenStatus:
    path: Path
    account: str
    scopes: tuple[str, ...]
    expiry: datetime | None
    can_refresh: bool
    mode: int

    def lines(self) -> list[str]:
        now = datetime.now(timezone.utc)
        if self.expiry is None:
            expiry = "unknown (refreshed on next use)"
        else:
            expiry = f"{self.expiry:%Y-%m-%d %H:%M} UTC" + (" (expired; refreshed on next use)" if self.expiry < now else "")
        return [
            f"token:   {self.path} (mode {self.mode:o})",
            f"account: {self.account or 'not known until the first sync (syncplan asks for calendar scopes only)'}",
            f"scopes:  {', '.join(_short(s) for s in self.scopes) or 'none'}",
            f"access token expiry: {expiry}",
            f"refresh token: {'present' if self.can_refresh else 'missing: run `syncplan auth`'}",
        ]


def status(token_file: Path) -> TokenStatus:
    info = _read(token_file)
    expiry = None
    if info.get("expiry"):
        try:
            expiry = datetime.fromisoformat(info["expiry"].replace("Z", "+00:00"))
            expiry = expiry if expiry.tzinfo else expiry.replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    scopes = info.get("scopes") or []
    return TokenStatus(
        path=token_file,
        account=str(info.get("account") or ""),
        scopes=tuple(scopes.split() if isinstance(scopes, str) else scopes),
        expiry=expiry,
        can_refresh=bool(info.get("refresh_token")),
        mode=token_file.stat().st_mode & 0o777,
    )


def logout(token_file: Path) -> bool:
    try:
        token_file.unlink()
    except FileNotFoundError:
        return False
    return True


def _read(token_file: Path) -> dict:
    try:
        info = json.loads(token_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuthorisationNeeded(f"no Google token at {token_file}. {REAUTH}") from None
    except (OSError, ValueError) as exc:
        raise AuthorisationNeeded(f"{token_file}: cannot read the token ({type(exc).__name__}). {REAUTH}") from None
    if not isinstance(info, dict):
        raise AuthorisationNeeded(f"{token_file}: not a syncplan token file. {REAUTH}")
    return info


def refusal(exc: Exception, token_file: Path | None = None) -> str:
    """Google's refusal, without echoing its payload (which may quote request details)."""
    text = str(exc)
    if "invalid_grant" in text:
        why = "Google refused the saved token (invalid_grant: expired or revoked"
        why += "; apps left in 'Testing' status get refresh tokens that expire after 7 days)"
    elif "invalid_client" in text:
        why = "Google no longer knows the OAuth client the token was made with (invalid_client)"
    else:
        why = "Google refused to refresh the saved token"
    return f"{why}. {REAUTH}" + (f" Token file: {token_file}." if token_file else "")


def _short(scope: str) -> str:
    return scope.rsplit("/", 1)[-1]


def _kind(exc: Exception) -> str:
    return type(exc.__cause__ or exc).__name__

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
CALENDAR_LIST = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy"  # only when a plan names Google calendars under [busy]
GOOGLE_ROOT = "https://www.googleapis.com/"
_FULL = "https://www.googleapis.com/auth/calendar"
_COVERED_BY = {  # a token made for a broader scope (by another tool, say) will do
    APP_CREATED: {APP_CREATED, _FULL},
    EVENTS_OWNED: {EVENTS_OWNED, _FULL + ".events", _FULL},
    CALENDAR_LIST: {CALENDAR_LIST, _FULL + ".calendarlist", _FULL + ".readonly", _FULL},
    FREEBUSY: {FREEBUSY, _FULL + ".events.freebusy", _FULL + ".readonly", _FULL},
}
WHY = {  # what each scope is for, in the user's words (auth --status, partial grants)
    APP_CREATED: "creating syncplan's own calendar and writing its events there",
    CALENDAR_LIST: "finding syncplan's calendar again (after a lost answer, a lost state file, "
    "or from another machine) instead of making a second one; it only reads the list of your calendars",
    EVENTS_OWNED: "writing events into a calendar you already have (--calendar primary|ID)",
    FREEBUSY: "reading only the busy times of the calendars under [busy] google, to place flexible sessions around them",
}
TEMPORARY = "try again later"

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
    """What ``auth`` asks for: app.created and the read-only calendar list; events.owned only for an existing calendar."""
    if calendar and is_calendar_id(calendar):
        return [APP_CREATED, CALENDAR_LIST, EVENTS_OWNED]
    return [APP_CREATED, CALENDAR_LIST]


def needed_for(calendar: str | None) -> list[str]:
    """What ``sync`` cannot work without; the calendar list only makes it sturdier."""
    if calendar and is_calendar_id(calendar):
        return [APP_CREATED, EVENTS_OWNED]
    return [APP_CREATED]


def has_scope(granted, scope: str) -> bool:
    return bool(_COVERED_BY[scope] & set(granted or ()))


def withheld(granted, wanted: list[str]) -> list[str]:
    return [s for s in wanted if not has_scope(granted, s)]


def not_allowed(scopes: list[str]) -> str:
    """"you did not allow X; syncplan needs it for Y", one clause per scope."""
    return "; ".join(f"you did not allow {_short(s)}; syncplan needs it for {WHY[s]}" for s in scopes)


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
        with _plain_http_allowed(root), _env("OAUTHLIB_RELAX_TOKEN_SCOPE", "1"):  # granular consent may grant less
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
    granted = credentials.granted_scopes or scopes
    refused = withheld(granted, scopes)
    save(credentials, token_file)
    say(f"Saved the Google token to {token_file} (mode 0600).")
    if refused:
        essential = [s for s in refused if s != CALENDAR_LIST]
        message = not_allowed(refused) + ". Run `syncplan auth` again and tick every box to allow it."
        if essential:
            raise AuthorisationNeeded(message[0].upper() + message[1:])
        say("Warning: " + message)


@contextmanager
def _plain_http_allowed(root: str):
    """oauthlib insists on https; a local emulator on the loopback interface speaks plain http."""
    host = urlsplit(root).hostname
    if not (root.startswith("http://") and host in ("127.0.0.1", "localhost", "::1")):
        yield
        return
    with _env("OAUTHLIB_INSECURE_TRANSPORT", "1"):
        yield


@contextmanager
def _env(name: str, value: str):
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def load(token_file: Path, needed: list[str]):
    """Credentials that can call the API now: refreshed if due, saved back, or AuthorisationNeeded."""
    from google.auth.exceptions import RefreshError, TransportError
    from google.oauth2.credentials import Credentials

    info = _read(token_file)
    try:
        credentials = Credentials.from_authorized_user_info(info)
    except ValueError:
        raise AuthorisationNeeded(f"{token_file}: not a syncplan token file. {REAUTH}") from None
    credentials._granted_scopes = granted_scopes(info)  # the library reads only the requested ones back
    missing = withheld(credentials.granted_scopes, needed)
    if missing:
        again = " --calendar primary" if EVENTS_OWNED in missing else ""
        raise AuthorisationNeeded(
            f"{token_file}: {not_allowed(missing)}. Run `syncplan auth{again}` to authorise again and allow it."
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
            raise refresh_failure(exc, token_file) from None
        except TransportError as exc:
            raise SyncplanError(f"could not reach Google to refresh the token ({_kind(exc)}); {TEMPORARY}.") from None
        save(credentials, token_file)
    return credentials


def granted_scopes(info: dict) -> list[str]:
    """What the user allowed: ``granted_scopes`` once syncplan has seen Google's answer, else what was asked."""
    scopes = info.get("granted_scopes", info.get("scopes")) or []
    return scopes.split() if isinstance(scopes, str) else list(scopes)


def refresh_failure(exc: Exception, token_file: Path | None = None) -> SyncplanError:
    """Only a refused grant needs `syncplan auth` (exit 3); anything else at the token endpoint is temporary (exit 1)."""
    text = str(exc)
    if any(code in text for code in _REFUSALS):
        return AuthorisationNeeded(refusal(exc, token_file))
    return SyncplanError(f"Google's token endpoint could not refresh the token just now; {TEMPORARY}. Nothing was changed.")


_REFUSALS = ("invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope")


def save(credentials, token_file: Path) -> None:
    from syncplan.files import atomic_write, make_folder

    info = json.loads(credentials.to_json())
    info["token_uri"] = "https://oauth2.googleapis.com/token"  # never persist a test or emulator endpoint
    granted = credentials.granted_scopes or _saved_granted(token_file)
    if granted:
        info["granted_scopes"] = list(granted)
    make_folder(
        token_file.parent,
        "the directory for the Google token",
        "make it writable, or choose another place with --token FILE or SYNCPLAN_TOKEN_FILE.",
    )
    atomic_write(token_file, json.dumps(info, indent=2).encode(), mode=0o600)


def _saved_granted(token_file: Path) -> list[str] | None:
    try:
        info = json.loads(token_file.read_text(encoding="utf-8"))
        return granted_scopes(info) if isinstance(info, dict) and "granted_scopes" in info else None
    except (OSError, ValueError, TypeError):
        return None


def too_open(token_file: Path) -> str | None:
    """A warning when others may read the token; every write makes it 0600 again."""
    try:
        mode = token_file.stat().st_mode & 0o777
    except OSError:
        return None
    if mode & 0o077:
        return (
            f"warning: {token_file} is readable by others (mode {mode:o}), and anyone who can read it can change "
            f"your calendars; syncplan makes it 600 the next time it saves the token (or run chmod 600 on it)"
        )
    return None


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
        lines = [
            f"token:   {self.path} (mode {self.mode:o})",
            f"account: {self.account or 'not known until the first sync (syncplan asks for calendar scopes only)'}",
            f"scopes:  {', '.join(_short(s) for s in self.scopes) or 'none'}",
        ]
        for scope, why in WHY.items():
            if has_scope(self.scopes, scope):
                state = "allowed"
            elif scope == EVENTS_OWNED:
                state = "not asked for (`syncplan auth --calendar primary` asks)"
            elif scope == FREEBUSY:
                state = "not asked for (`syncplan auth --busy` asks)"
            else:
                state = "not allowed (`syncplan auth` asks again)"
            lines.append(f"  {_short(scope)}: {state}; for {why}")
        return lines + [
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
    return TokenStatus(
        path=token_file,
        account=str(info.get("account") or ""),
        scopes=tuple(granted_scopes(info)),
        expiry=expiry,
        can_refresh=bool(info.get("refresh_token")),
        mode=token_file.stat().st_mode & 0o777,
    )


# What every authorized-user token has; a file without them is not one, whatever its name.
_TOKEN_KEYS = ("client_id", "client_secret")
_TOKEN_SECRETS = ("refresh_token", "token")
_TOKEN_LIMIT = 1 << 20  # bytes; a token is a few hundred, so anything larger is some other file


def logout(token_file: Path) -> bool:
    """Delete the token file, and only one: --token may point anywhere, by mistake or by design.

    A symlink is refused rather than followed or removed (which one the user
    meant cannot be known); anything that is not a regular file holding
    authorized-user JSON is refused too, naming the path and why.
    """
    import stat

    try:
        st = os.lstat(token_file)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise InvalidInput(f"{token_file}: cannot look at it ({exc.strerror}); nothing was deleted.") from None
    if stat.S_ISLNK(st.st_mode):
        raise InvalidInput(
            f"{token_file}: is a symbolic link (to {os.readlink(token_file)}), so syncplan leaves it alone; "
            f"delete the token file yourself if that is what you meant, or give its real path with --token."
        )
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInput(f"{token_file}: is not a regular file, so it is not a syncplan token; nothing was deleted.")
    problem = _not_a_token(token_file, st.st_size)
    if problem:
        raise InvalidInput(f"{token_file}: {problem}, so syncplan will not delete it; check --token or SYNCPLAN_TOKEN_FILE.")
    token_file.unlink()
    return True


def _not_a_token(token_file: Path, size: int) -> str | None:
    """Why the file is not a Google token, or None when it is one."""
    if size > _TOKEN_LIMIT:
        return f"is {size} bytes, far larger than a token file"
    try:
        info = json.loads(token_file.read_bytes().decode("utf-8"))
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    except ValueError:
        return "does not hold JSON (a Google token file does)"
    if not isinstance(info, dict):
        return "holds JSON that is not a Google token"
    missing = [k for k in _TOKEN_KEYS if not isinstance(info.get(k), str)]
    if missing or not any(isinstance(info.get(k), str) for k in _TOKEN_SECRETS):
        return f"holds JSON without a Google token's fields ({', '.join(missing) or 'refresh_token'})"
    return None


def _read(token_file: Path) -> dict:
    try:
        info = json.loads(token_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuthorisationNeeded(f"no Google token at {token_file}. {REAUTH}") from None
    except (OSError, ValueError) as exc:
        raise AuthorisationNeeded(f"{token_file}: cannot read the token ({type(exc).__name__}). {REAUTH}") from None
    if not isinstance(info, dict):
        raise AuthorisationNeeded(f"{token_file}: not a syncplan token file. {REAUTH}")
    for name, kinds, shape in _FIELDS:
        if name in info and info[name] is not None and not isinstance(info[name], kinds):
            raise AuthorisationNeeded(f"{token_file}: the field {name!r} should be {shape}, not {_json_type(info[name])}. {REAUTH}")
    for name in ("scopes", "granted_scopes"):
        if isinstance(info.get(name), list) and not all(isinstance(s, str) for s in info[name]):
            raise AuthorisationNeeded(f"{token_file}: the field {name!r} should list scopes as strings. {REAUTH}")
    if isinstance(info.get("expiry"), str) and info["expiry"]:
        try:
            datetime.strptime(info["expiry"].rstrip("Z").split(".")[0], "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            raise AuthorisationNeeded(f"{token_file}: the field 'expiry' is not a time like 2026-01-31T12:00:00Z. {REAUTH}") from None
    return info


_FIELDS = (
    ("token", str, "a string"),
    ("refresh_token", str, "a string"),
    ("client_id", str, "a string"),
    ("client_secret", str, "a string"),
    ("expiry", str, "a time like 2026-01-31T12:00:00Z"),
    ("scopes", (list, str), "a list of scopes"),
    ("granted_scopes", (list, str), "a list of scopes"),
    ("account", str, "a string"),
)


def _json_type(value) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(type(value), "something else")


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

"""The one error type meant for people; anything else escaping is a bug.

Exit codes are part of the interface (documented in the README):
0 ok, 1 failure or rule errors, 2 usage or invalid input, 3 authorisation needed.
"""

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID = 2
EXIT_AUTH = 3


class SyncplanError(Exception):
    """A problem the user can fix; the message names the file, the place and the fix."""

    exit_code = EXIT_FAILURE


class InvalidInput(SyncplanError):
    """The plan file, a template or an option value is not usable."""

    exit_code = EXIT_INVALID


class AuthorisationNeeded(SyncplanError):
    """No usable Google token: cron users alert on this exit code."""

    exit_code = EXIT_AUTH

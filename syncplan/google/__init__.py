"""Google Calendar sync. Imported only by ``syncplan sync``/``auth``, never by ``export``.

auth (consent, token file), resource (Event <-> API resource), sync (the pure
diff), client (the API: batches, retries), state (calendar ids, lock),
push (one run), cron (the crontab line).
"""

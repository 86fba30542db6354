"""Configuration defaults.

Layering (lowest first): these defaults, an optional ``instance/portal.cfg`` Python file, then
``PORTAL_*`` environment variables (``PORTAL_SECRET_KEY``, ``PORTAL_SIGNUP_POLICY``...), then the
mapping given to :func:`portal.create_app` (tests). ``DATABASE_URL`` is honoured as the usual
shortcut for ``SQLALCHEMY_DATABASE_URI``.
"""

from datetime import timedelta


class DefaultConfig:
    """Settings that hold unless the instance file or the environment say otherwise."""

    SECRET_KEY = None  # generated into the instance folder on first run when unset
    SQLALCHEMY_DATABASE_URI = None  # set to a SQLite file under instance/ when unset
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    #: The largest request body: three photos and the text of a diary.
    MAX_CONTENT_LENGTH = 26 * 1024 * 1024
    #: Form fields other than files (a 60,000-character diary, percent-encoded, is ~540 KB).
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    #: The UI languages, in the switch's order (``ja`` first: the default).
    LANGUAGES = ("ja", "en", "zh", "ko")

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_SSL_STRICT = False  # keitai browsers send no Referer

    #: Cookie-carried sessions (PC, smartphone, cookie-capable phones) expire after this idle time.
    SESSION_IDLE_PC = timedelta(days=14)
    #: Sessions carried in URLs (cookie-less phones) expire after an idle hour.
    SESSION_IDLE_KEITAI = timedelta(hours=1)
    #: Idle expiry is extended at most this often, so reading pages does not write every time.
    SESSION_TOUCH_INTERVAL = timedelta(minutes=1)
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_HTTPONLY = True
    #: ``Secure`` cookies; ``None``: when the site is served over HTTPS (``PUBLIC_URL`` https).
    SESSION_COOKIE_SECURE: bool | None = None
    REMEMBER_COOKIE_SECURE: bool | None = None
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Query/form parameter that carries the session id for cookie-less phones.
    SESSION_URL_PARAM = "sid"
    #: ``sql`` (the database) or ``redis`` (``SESSION_REDIS_URL``).
    SESSION_STORE = "sql"
    SESSION_REDIS_URL = "redis://127.0.0.1:6379/0"
    #: SQL sessions are read through the page cache's cache (``CACHE_TYPE``) and a copy kept
    #: this many seconds (``portal.session_store.CachedSessionStore``); 0: every load reads the
    #: row. With ``SimpleCache`` the copies are the process's own: several web processes on SQL
    #: sessions need ``RedisCache`` (shared) or 0.
    SESSION_CACHE_SECONDS = 60
    #: With ``SimpleCache``: the sessions' own cache keeps at most this many entries (two a
    #: session: its copy and its token; about 1 KB each).
    SESSION_CACHE_THRESHOLD = 20_000

    #: Photo uploads: the largest file, and the most pixels (decompression-bomb bound).
    PHOTO_MAX_BYTES = 8 * 1024 * 1024
    PHOTO_MAX_PIXELS = 40_000_000

    #: E-mail notifications (Flask-Mail settings: MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS...).
    MAIL_ENABLED = False
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_DEFAULT_SENDER = "keitai-portal <noreply@localhost>"
    #: The task queue (huey): ``redis://host:port/db``, ``sqlite:///path``, or ``memory://``
    #: (tasks run at once, in the caller: tests). ``None``: a SQLite file under ``instance/``.
    QUEUE_URL: str | None = None
    #: Threads of ``flask queue consume`` (each sends one mail or runs one task at a time).
    QUEUE_WORKERS = 2
    #: How long a consumer holds a mail while it sends; a mail held longer (its consumer died)
    #: is handed over again. A timedelta, or seconds.
    QUEUE_MAIL_LEASE = timedelta(minutes=5)
    #: Posting diaries by e-mail: the domain of the members' secret posting addresses
    #: (``d.<token>@<domain>``), whose mail the MTA pipes to ``flask mail-post --recipient``.
    #: ``None``: posting by mail is off.
    MAIL_POST_DOMAIN: str | None = None

    #: ``invite`` (only by a member's invitation), ``mobile`` (by invitation, or mobile-verified:
    #: an empty mail from a keitai mail domain, or a phone sending its carrier subscriber ID) or
    #: ``open`` (anyone 18+ may sign up).
    SIGNUP_POLICY = "mobile"
    MINIMUM_AGE = 18
    INVITATIONS_PER_MEMBER = 10
    INVITATION_LIFETIME = timedelta(days=14)

    #: Failed logins allowed per address and client (per subscriber ID for easy login).
    LOGIN_RATE_LIMIT = "5 per minute;20 per hour"
    #: Failed password logins allowed per address from all clients together (guessing from many
    #: machines); gentle, so a member is rarely locked out by others.
    LOGIN_RATE_LIMIT_PER_ADDRESS = "100 per hour"
    #: Password-reset mails asked per address, and per client (the same keys as logins).
    RESET_LINK_RATE_LIMIT = "3 per hour"
    RESET_LINK_RATE_LIMIT_PER_CLIENT = "10 per hour"
    #: How long a password-reset link works.
    RESET_LINK_LIFETIME = timedelta(hours=1)
    #: Empty mails (空メール) to entry@/login@ MAIL_POST_DOMAIN: how long the signup link and
    #: the one-time login link answered work, and how many answers one address gets per hour
    #: (more are dropped silently, so a forged sender cannot flood someone's phone).
    EMPTY_MAIL_SIGNUP_LIFETIME = timedelta(hours=24)
    EMPTY_MAIL_LOGIN_LIFETIME = timedelta(minutes=15)
    EMPTY_MAIL_ANSWERS_PER_HOUR = 3
    #: Requests to the ListenBrainz API (/1/submit-listens, /1/validate-token) per token (else
    #: per client address); the X-RateLimit-* headers tell clients, as ListenBrainz's do.
    LISTEN_RATE_LIMIT = "60 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False

    #: argon2id cost parameters: OWASP's first recommended setting (m=19 MiB, t=2, p=1; the
    #: Password Storage Cheat Sheet). A verify costs about 31 ms of CPU here, where RFC 9106's
    #: low-memory option (m=64 MiB, t=3, p=4) cost 188 ms: on a 2-core machine a storm of
    #: 200 logins (a morning rush, a restart that logged everyone out) then took half the
    #: server's CPU. Hashes made with other parameters are redone at the next login
    #: (``accounts.authenticate``). Raise them where cores are plentiful (docs/security.md).
    PASSWORD_HASH_TIME_COST = 2
    PASSWORD_HASH_MEMORY_COST = 19 * 1024
    PASSWORD_HASH_PARALLELISM = 1

    #: Log (production) or raise (tests) when a keitai page exceeds the device's byte budget.
    PAGE_BUDGET_STRICT = False
    #: Route every template render through StrictUndefined (on in tests).
    STRICT_TEMPLATES = False
    #: The site's address as members reach it, ``scheme://host[:port]``: links in mail, feeds and
    #: invitations (never the Host header). Unset: from SERVER_NAME, else the first SERVER_HOSTS.
    PUBLIC_URL: str | None = None
    #: Further ``host[:port]`` values that count as ours; a request for any other host gets a 400
    #: page (portal.hosts). Easy login works only on configured hosts (a DNS rebinding attack
    #: arrives with a foreign Host header). Nothing configured: only localhost is served.
    SERVER_HOSTS: tuple[str, ...] = ()
    #: Reverse proxies in front of the app (werkzeug ProxyFix hops). 0: REMOTE_ADDR is the
    #: client, and X-Forwarded-For is ignored, as it must be unless a proxy of ours sets it.
    PROXY_HOPS = 0
    #: One JSON line per request on stderr (``portal.requests``): id, status, carrier, time,
    #: queries.
    REQUEST_LOG = True
    #: Endpoints whose docomo URLs carry ``guid=ON`` so the phone sends its i-mode ID.
    KEITAI_GUID_ENDPOINTS = frozenset({"auth.easy_login", "settings.easy_login"})

    # Serving (portal.serving, ``flask serve``): waitress settings chosen for a public site on a
    # small machine, where many connections are slow phones and some are silent.
    #: Worker threads running the app. Page work is Python under the GIL, so threads beyond a
    #: few per core only queue; these cover requests waiting on the database or the disk.
    WAITRESS_THREADS = 8
    #: Open connections accepted at once (waitress: 100). A connection waiting for bytes costs a
    #: socket, not a thread, so this is set far above the busiest load (200 clients plus idle
    #: and half-open ones) and well below the process's file limit; beyond it waitress stops
    #: accepting, and everyone waits.
    WAITRESS_CONNECTION_LIMIT = 1000
    #: Seconds a connection may stay silent (no request in progress) before it is closed
    #: (waitress: 120). A phone sending a slow upload keeps sending bytes, so it stays.
    WAITRESS_CHANNEL_TIMEOUT = 30
    #: How often, in seconds, silent connections are looked for (waitress: 30).
    WAITRESS_CLEANUP_INTERVAL = 5
    #: The listen queue for bursts of new connections (the kernel caps it at somaxconn).
    WAITRESS_BACKLOG = 2048
    #: poll() instead of select(): select() fails on descriptors above 1024, which a
    #: connection limit of 1000 can reach.
    WAITRESS_ASYNCORE_USE_POLL = True
    #: The largest body waitress buffers (waitress: 1 GB): MAX_CONTENT_LENGTH and the headers.
    WAITRESS_MAX_REQUEST_BODY_SIZE = MAX_CONTENT_LENGTH + 64 * 1024

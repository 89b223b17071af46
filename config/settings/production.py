"""Production settings: base, tightened. Everything secret comes from the environment."""

import os

from .base import *  # noqa: F403

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
# "__Host-": the browser keeps these cookies only if they came over HTTPS for this very host.
SESSION_COOKIE_NAME = "__Host-essor_session"
CSRF_COOKIE_NAME = "__Host-essor_csrftoken"
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# Behind the load balancer every request comes from its address: the public form's rate limit
# must count the client's own address, from the header the proxy sets (e.g. HTTP_X_REAL_IP).
RATELIMIT_IP_META_KEY = os.environ.get("ESSOR_CLIENT_IP_HEADER", "REMOTE_ADDR")
# Failed sign-ins are counted per client address too: read it from the same header.
AXES_IPWARE_META_PRECEDENCE_ORDER = [RATELIMIT_IP_META_KEY]

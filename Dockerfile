# Matcha in one image: build the front-end libraries with Node, run the app with Python.
#
#   docker build -t matcha .
#   docker run -d --name matcha -p 8000:8000 -v matcha-data:/app/data matcha
#
# See README.md, "Docker", for configuration and user management.

# --- Stage 1: static/vendor from package.json (htmx, Pico CSS) ---------------------------
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
# Only the libraries we serve; devDependencies (axe-core) are for the browser tests.
RUN npm ci --omit=dev --no-audit --no-fund
COPY scripts/build-vendor.mjs scripts/
RUN npm run --silent build

# --- Stage 2: the app --------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# app/config.py finds templates/, static/, migrations/ and alembic.ini next to the app
# package (PROJECT_ROOT), so the source tree lives in /app and is installed in editable
# mode: the `matcha` command then imports /app/app, not a copy in site-packages.
WORKDIR /app

# The runtime lock only (no test tools); a layer of its own so code changes reuse it.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY pyproject.toml README.md alembic.ini ./
COPY app/ app/
COPY migrations/ migrations/
COPY templates/ templates/
COPY static/ static/
COPY --from=assets /build/static/vendor/ static/vendor/
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN pip install --no-deps -e . \
    && chmod 0755 /usr/local/bin/docker-entrypoint.sh \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home matcha \
    && mkdir -p /app/data \
    && chown matcha:matcha /app/data

# SQLite database, generated SECRET_KEY and backups live here: keep it on a volume.
ENV MATCHA_DATA_DIR=/app/data \
    MATCHA_HOST=0.0.0.0 \
    MATCHA_PORT=8000
VOLUME ["/app/data"]
USER matcha
EXPOSE 8000

# No curl in slim images: ask /healthz with Python. A 503 (database unreachable) fails too.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('MATCHA_PORT', '8000'), timeout=4)"

# `serve` migrates the database first; other arguments run as `matcha ARGS` (see the script).
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["serve"]

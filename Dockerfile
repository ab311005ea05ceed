# The tracker as a slim, non-root image (docs/DEPLOY.md): Debian's Python 3.11 and a virtualenv
# holding the locked dependency set (requirements/app.txt, PostgreSQL driver included) and the
# tracker itself, installed from its wheel. At start it migrates the database, then serves.

# --- build: the virtualenv and the tracker ---------------------------------------------------
FROM debian:bookworm-slim AS build

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv binutils \
 && apt-get clean && rm -rf /var/lib/apt/lists/*

# A build that must reach a private package index mounts a pip configuration and names it here.
ARG PIP_CONFIG_FILE
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1

# The locked set, in a virtualenv of its own layer: it is made again only when the lock changes.
# Compiled extensions lose their debug symbols (uvloop alone carries 11 MB of them), except those
# an auditwheel repair rewrote (a RUNPATH into the wheel's .libs). pip and setuptools leave.
COPY requirements/app.txt /src/requirements/app.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install -r /src/requirements/app.txt \
 && find /opt/venv -name '*.so*' -type f -not -path '*.libs/*' -exec sh -c \
      'readelf -d "$1" | grep -q -E "RPATH|RUNPATH" || strip --strip-unneeded "$1"' sh {} ';' \
 && /opt/venv/bin/pip uninstall --yes pip setuptools

# The tracker, from its wheel, without resolving anything again, into a folder of its own: a
# change to the code makes a small layer, not a new virtualenv. pip runs from a throwaway
# virtualenv for the virtualenv's Python, which `tracker` then starts with.
COPY pyproject.toml README.md /src/
COPY service /src/service
RUN python3 -m venv /opt/pip \
 && /opt/pip/bin/pip --python /opt/venv/bin/python3 install --no-deps --target /opt/tracker /src \
 && mv /opt/tracker/bin /opt/tracker-bin \
 && PYTHONPATH=/opt/tracker /opt/venv/bin/python3 -c "import service.app"

# --- the image ------------------------------------------------------------------------------
FROM debian:bookworm-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 tracker \
 && useradd --uid 10001 --gid tracker --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin tracker \
 && mkdir /data && chown tracker:tracker /data && chmod 0750 /data

# The code is the virtualenv's (service/ is installed there); the tracker reads its migrations,
# templates, static files and seed data from /app.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/tracker/ /opt/venv/lib/python3.11/site-packages/
COPY --from=build /opt/tracker-bin/ /opt/venv/bin/
COPY migrations /app/migrations
COPY web /app/web
COPY seeds /app/seeds

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TRACKER_ENV=production \
    TRACKER_DATABASE_URL=sqlite:////data/tracker.db \
    TRACKER_MIGRATIONS_DIR=/app/migrations \
    TRACKER_WEB_DIR=/app/web \
    TRACKER_SEEDS_DIR=/app/seeds \
    TRACKER_EXPORT_CACHE_DIR=/data/exports \
    TRACKER_METRICS_DIR=/tmp/tracker-metrics \
    PORT=8000 \
    WORKERS=2

# The SQLite database (and its backups) live here; with PostgreSQL it stays empty.
VOLUME /data
WORKDIR /app
# A number, not a name, so that a runtime can tell it is not root without reading /etc/passwd.
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"]

# Every command run in the image (the server, or `tracker ...` given as the command) is refused
# in production without a real secret, with exit status 78 (a configuration error).
ENTRYPOINT ["/bin/sh", "-c", "[ \"$TRACKER_ENV\" != production ] || [ ${#TRACKER_SECRET_KEY} -ge 32 ] || { echo 'error: TRACKER_SECRET_KEY must be set to a secret of 32 or more characters in production' >&2; exit 78; }; exec \"$@\"", "entrypoint"]
# Migrate, then serve. `exec` makes uvicorn's supervisor the main process: on SIGTERM it stops
# the workers gracefully (each finishes its requests) and exits 0.
CMD ["/bin/sh", "-c", "tracker db upgrade && exec tracker serve --host 0.0.0.0 --port \"$PORT\" --workers \"$WORKERS\""]

# The tracker as a slim, non-root image: migrations run at start, then uvicorn.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRACKER_ENV=production \
    TRACKER_DATABASE_URL=sqlite:////app/var/tracker.db \
    PORT=8000 \
    WORKERS=2

WORKDIR /app
RUN groupadd --system tracker && useradd --system --gid tracker --home /app tracker

COPY pyproject.toml README.md alembic.ini ./
COPY service ./service
COPY migrations ./migrations
COPY web ./web
COPY seeds ./seeds
RUN pip install -e . && mkdir -p /app/var && chown tracker:tracker /app/var

USER tracker
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)" || exit 1

CMD ["sh", "-c", "tracker db upgrade && exec tracker serve --host 0.0.0.0 --port \"$PORT\" --workers \"$WORKERS\""]

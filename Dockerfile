# Qunbot: one process serves the webhook, the API and the background workers.

# The ad filter's scoring is compiled (handlers/adfilter/hashed.pyx): gcc is needed to install,
# and only here, so the served image does not carry a compiler.
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY schedules ./schedules
COPY migrations ./migrations
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    QUNBOT_HOST=0.0.0.0 \
    QUNBOT_PORT=8080 \
    QUNBOT_DATABASE_URL=sqlite+aiosqlite:////data/qunbot.db

WORKDIR /app
COPY --from=build /install /usr/local
RUN useradd --create-home --uid 10001 qunbot && mkdir /data && chown qunbot /data

USER qunbot
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['QUNBOT_PORT']}/healthz\", timeout=4)"]

# Migrations run first, then the one serving process (never several workers: see README).
ENTRYPOINT ["qunbot"]
CMD ["serve", "--migrate"]

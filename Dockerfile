# syntax=docker/dockerfile:1
# Argus: the dashboard built with Node, then a slim Python 3.11 runtime holding only the
# locked environment (no compilers, no Node, no dev tools), run as a non-root user.
#   docker build -t argus:0.1.0 .
#   docker build --build-arg EXTRAS="--extra postgres --extra redis --extra llm" -t argus:0.1.0-llm .

# --- 1. the dashboard ---------------------------------------------------------------
FROM node:22-slim AS ui
WORKDIR /src/ui
COPY ui/package.json ui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY ui/ ./
# vite writes the bundle into ../argus_web/static (the package folder Argus serves).
RUN npm run build

# --- 2. the Python environment, from uv.lock --------------------------------------------
FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
ARG EXTRAS="--extra postgres --extra redis"
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project ${EXTRAS}
COPY argus_core argus_core
COPY argus_adapters argus_adapters
COPY argus_plugins argus_plugins
COPY argus_web argus_web
COPY migrations migrations
COPY --from=ui /src/argus_web/static argus_web/static
# Argus itself as a wheel (not editable): the source folder is not copied further.
RUN uv sync --locked --no-dev --no-editable ${EXTRAS}

# --- 3. the runtime -------------------------------------------------------------------
FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 10001 argus \
 && useradd --system --uid 10001 --gid argus --no-create-home --home-dir /app argus
COPY --from=build --chown=root:root /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# Readiness: GET /api/ready (the database answers); liveness: GET /api/live.
CMD ["argus", "serve", "--host", "0.0.0.0", "--port", "8000"]

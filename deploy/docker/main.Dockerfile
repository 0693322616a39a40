# syntax=docker/dockerfile:1
# The main environment (Python 3.11): one image, three processes. The command picks the process:
#   gateway       python -m assistant.gateway --host 0.0.0.0            (the default CMD)
#   actions       python -m actions.server --host 0.0.0.0
#   cityservices  python -m cityservices serve --host 0.0.0.0
# Build from the repository root (BuildKit reads main.Dockerfile.dockerignore beside this file):
#   docker build -f deploy/docker/main.Dockerfile -t gorod-voice:0.1.0 .
# Base images are pinned by version. Their digests could not be looked up where this file was
# written (no registry access); pin them as image:tag@sha256:... where you build.
# No secret and no config.yml is baked in: config.yml comes from the ConfigMap
# (ASSISTANT_CONFIG), keys and tokens from the Secret, Vosk models from a volume.

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM python:3.11.14-slim-bookworm AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# the runtime dependencies alone, exactly as uv.lock has them (a layer kept while code changes)
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY assistant/ assistant/
COPY audio/ audio/
COPY actions/ actions/
COPY cityservices/ cityservices/
COPY spoken/ spoken/
RUN uv sync --frozen --no-dev \
    && /app/.venv/bin/python -m compileall -q assistant audio actions cityservices spoken

FROM python:3.11.14-slim-bookworm
# espeak-ng: pyttsx3's speech engine (gateway TTS), pinned to its Debian 12 version
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng=1.51+dfsg-10+deb12u2 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 gorod \
    && useradd --system --uid 10001 --gid gorod --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin gorod
WORKDIR /app
# the code and the venv stay root-owned and read-only; only var/ is the process's to write
COPY --from=build /app /app
RUN mkdir -p /app/var && chown gorod:gorod /app/var
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    RASA_TELEMETRY_ENABLED=false \
    ASSISTANT_CONFIG=/etc/gorod-voice/config.yml
# checkov:skip=CKV_DOCKER_2: no HEALTHCHECK: three processes, three ports; Kubernetes probes /healthz
USER 10001:10001
EXPOSE 8080 9092 5055 8000
CMD ["python", "-m", "assistant.gateway", "--host", "0.0.0.0"]

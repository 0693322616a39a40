# syntax=docker/dockerfile:1
# The dialogue-engine environment: Python 3.10, rasa 3.6 exactly as nlu/requirements.lock pins it,
# the project's Rasa channels and tracker store (nlu/*.py), and the trained model.
# Train first (`assistant train` writes nlu/models/city.tar.gz, which git ignores), then build
# from the repository root (BuildKit reads rasa.Dockerfile.dockerignore beside this file):
#   docker build -f deploy/docker/rasa.Dockerfile -t gorod-voice-rasa:0.1.0 .
# Base images are pinned by version. Their digests could not be looked up where this file was
# written (no registry access); pin them as image:tag@sha256:... where you build.
# No secret is baked in: nlu/serve.py refuses to start without ASSISTANT_SECRETS__RASA_TOKEN, and
# credentials.yml / endpoints.yml read the other secrets from the environment.

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM python:3.10.19-slim-bookworm AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
COPY nlu/requirements.lock /tmp/requirements.lock
RUN uv venv --python /usr/local/bin/python3.10 /opt/rasa \
    && uv pip sync --python /opt/rasa/bin/python /tmp/requirements.lock

FROM python:3.10.19-slim-bookworm
RUN groupadd --system --gid 10001 gorod \
    && useradd --system --uid 10001 --gid gorod --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin gorod
COPY --from=build /opt/rasa /opt/rasa
WORKDIR /app/nlu
COPY nlu/*.py nlu/credentials.yml nlu/endpoints.yml ./
COPY nlu/models/city.tar.gz models/city.tar.gz
RUN mkdir -p /app/var && chown gorod:gorod /app/var
# HOME=/tmp: Rasa and TensorFlow write caches under $HOME (an emptyDir in Kubernetes)
ENV PATH=/opt/rasa/bin:$PATH \
    PYTHONPATH=/app/nlu \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    RASA_TELEMETRY_ENABLED=false
# checkov:skip=CKV_DOCKER_2: no HEALTHCHECK: Kubernetes probes GET /healthz
USER 10001:10001
EXPOSE 5005
CMD ["python", "serve.py", "run", "--enable-api", "--model", "models/city.tar.gz", \
     "--interface", "0.0.0.0", "--port", "5005", \
     "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"]

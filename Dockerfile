# syntax=docker/dockerfile:1
# salesforge images, built from a checkout of this repository (BuildKit):
#
#   docker build --target app -t salesforge-app .   # results app: salesforge serve, port 5006
#   docker build --target api -t salesforge-api .   # REST API: salesforge api, port 8000
#   docker build --target dev -t salesforge-dev .   # the test suite: python -m pytest -n 2
#
# docker-compose.yml runs app + api over one shared runs volume; see docs/deployment.md.
# tests/contract/test_deployment.py checks that every path, command, port and health-check
# URL named here is real.

ARG PYTHON_IMAGE=python:3.11-slim

# ---- builder: wheels for the core, its test extra, the first-party plugins and every dependency
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY salesforge ./salesforge
COPY plugins ./plugins
RUN pip wheel --wheel-dir /wheels ".[test]" \
        ./plugins/salesforge-xgboost ./plugins/salesforge-prophet \
        ./plugins/salesforge-pyod ./plugins/salesforge-mlflow \
        ./plugins/salesforge-lightgbm ./plugins/salesforge-statsforecast

# ---- runtime: the core and the first-party plugins installed from those wheels, no compiler
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    SALESFORGE_LOG_LEVEL=INFO SALESFORGE_LOG_JSON=0
# libgomp1: OpenMP runtime of xgboost and lightgbm; libstdc++6: Prophet's compiled Stan model
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 libstdc++6 \
    && rm -rf /var/lib/apt/lists/*
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels \
        salesforge salesforge-xgboost salesforge-prophet salesforge-pyod salesforge-mlflow \
        salesforge-lightgbm salesforge-statsforecast
RUN useradd --create-home --uid 10001 --user-group salesforge \
    && mkdir -p /runs/api \
    && chown -R salesforge:salesforge /runs
WORKDIR /home/salesforge
USER salesforge
VOLUME ["/runs"]

# ---- app: the Panel results app over /runs (the API's runs land in /runs/api/runs)
FROM runtime AS app
# published: ask for a login; serving refuses to start until SALESFORGE_APP_BASIC_AUTH is set
ENV SALESFORGE_APP_AUTH=basic
EXPOSE 5006
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5006/salesforge', timeout=8)"]
CMD ["salesforge", "serve", "--runs", "/runs", "--host", "0.0.0.0", "--port", "5006"]

# ---- api: the REST API with its store in /runs/api
FROM runtime AS api
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=8)"]
CMD ["salesforge", "api", "--host", "0.0.0.0", "--port", "8000", "--store", "/runs/api"]

# ---- dev: the core with its test extra, the plugins, the sources and tests; runs the suite
FROM ${PYTHON_IMAGE} AS dev
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# chromium: the browser tests (as in CI); libgomp1, libstdc++6: as in runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 libstdc++6 chromium \
    && rm -rf /var/lib/apt/lists/*
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels "salesforge[test]" \
        salesforge-xgboost salesforge-prophet salesforge-pyod salesforge-mlflow \
        salesforge-lightgbm salesforge-statsforecast
RUN useradd --create-home --uid 10001 --user-group salesforge
WORKDIR /src
COPY --chown=salesforge:salesforge . .
USER salesforge
HEALTHCHECK NONE
CMD ["python", "-m", "pytest", "-n", "2"]

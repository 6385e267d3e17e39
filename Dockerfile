# syntax=docker/dockerfile:1
# One image per service from this one file: `docker build --build-arg SERVICE=access -t
# ma-clearance/access .` (compose passes SERVICE for each). The image runs `python -m <service>
# migrate | web | consume | relay | check-runner | send | retention run | sweep`; its default
# command serves the web process on $PORT.
#
# Reproducible: the base images are pinned by digest (multi-architecture indexes; renew them
# deliberately), GOV.UK Frontend by package-lock.json, and every Python package by the hashes in
# deploy/requirements/<service>.txt (`make lock` writes them from the pyprojects).
ARG PYTHON_IMAGE=python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7
ARG NODE_IMAGE=node:22-alpine@sha256:c610fcdfb1d5b4740dd70c284ed3cb16bb857e0f7166196e36a5501df7a3aa32

# GOV.UK Frontend for the front doors' pages (shared.frontdoor.assets): its dist/govuk folder only.
FROM ${NODE_IMAGE} AS govuk-frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# Build stage: the locked dependencies, then our two packages (not editable), into a virtualenv.
FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=<service>" >&2 && exit 1)
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY deploy/requirements/${SERVICE}.txt /src/requirements.txt
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /src/requirements.txt
COPY shared/ /src/shared/
COPY services/${SERVICE}/ /src/services/${SERVICE}/
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation /src/shared /src/services/${SERVICE} \
 && /opt/venv/bin/pip check

# Runtime stage: the virtualenv only (no sources, no compilers), as an unprivileged user.
FROM ${PYTHON_IMAGE}
ARG SERVICE
ARG GIT_SHA=unknown
ARG BUILD_TIME=unknown
ENV PATH="/opt/venv/bin:$PATH" \
    SERVICE=${SERVICE} \
    DEPLOYMENT_ENVIRONMENT=production \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    GOVUK_FRONTEND_DIR=/opt/govuk-frontend \
    VAR_DIR=/app/var \
    PORT=8000 \
    APP_GIT_SHA=${GIT_SHA} \
    APP_BUILD_TIME=${BUILD_TIME}
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
 && mkdir -p /app/var \
 && chown -R app:app /app
COPY --from=build /opt/venv /opt/venv
COPY --from=govuk-frontend /build/node_modules/govuk-frontend/dist/govuk /opt/govuk-frontend
WORKDIR /app
USER 10001:10001
EXPOSE 8000
CMD ["sh", "-c", "exec python -m \"$SERVICE\" web --bind \"0.0.0.0:$PORT\""]

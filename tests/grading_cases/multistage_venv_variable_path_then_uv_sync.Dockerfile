# expect: dependency_cache=kept rules=
# why: UV_PROJECT_ENVIRONMENT moves the project venv to /opt/venv in both stages; the dependencies are synced from the lock alone, the venv is copied by that variable path, and the final `uv sync` adds only the project
ARG PYTHON=3.12
FROM python:${PYTHON}-slim AS deps
COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv
ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_LINK_MODE=copy
WORKDIR /src
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --locked --no-install-project --no-dev

FROM python:${PYTHON}-slim
COPY --from=ghcr.io/astral-sh/uv:latest /bin/uv /bin/uv
ENV UV_PROJECT_ENVIRONMENT=/opt/venv
COPY --link --from=deps ${UV_PROJECT_ENVIRONMENT} ${UV_PROJECT_ENVIRONMENT}
WORKDIR /src
COPY --link . .
RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev

# expect: dependency_cache=kept rules=
# why: with a UV_PROJECT_ENVIRONMENT variable and `--no-editable`, the dependency sync still reads only the two bind-mounted manifests; the later sync after `COPY . .` adds the project
FROM python:3.11-slim
COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /usr/local/bin/
ENV UV_PROJECT_ENVIRONMENT=/venv
WORKDIR /build
RUN --mount=type=bind,source=pyproject.toml,target=/build/pyproject.toml \
    --mount=type=bind,source=uv.lock,target=/build/uv.lock \
    --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-install-project --no-editable
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-editable

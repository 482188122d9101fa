# expect: dependency_cache=kept rules=
# why: the first sync bind-mounts uv.lock and pyproject.toml and skips the project; after `ADD . /app` the second sync only installs the project
FROM python:3.12-slim-bookworm
COPY --from=ghcr.io/astral-sh/uv:0.4 /uv /uvx /bin/
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
WORKDIR /app
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-install-project --no-dev
ADD . /app
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev
ENV PATH="/app/.venv/bin:$PATH"

# expect: dependency_cache=kept rules=
# why: each member's pyproject.toml is copied on its own with the root manifest and lock; the dependency sync runs before any member's code is copied
FROM ghcr.io/astral-sh/uv:debian
WORKDIR /app
ENV UV_LINK_MODE=copy
COPY uv.lock /app/uv.lock
COPY .python-version /app/.python-version
COPY pyproject.toml /app/pyproject.toml
COPY packages/data/pyproject.toml /app/packages/data/pyproject.toml
COPY packages/interface/pyproject.toml /app/packages/interface/pyproject.toml
COPY backend/pyproject.toml /app/backend/pyproject.toml
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-install-workspace --no-dev
COPY . /app
RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev
CMD ["uv", "run", "backend"]

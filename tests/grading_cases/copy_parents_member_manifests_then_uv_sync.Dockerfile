# expect: dependency_cache=kept rules=
# why: `COPY --parents` brings only the workspace members' pyproject.toml files (with the root manifest and lock); `uv sync --no-install-workspace` installs the third-party dependencies before the source is copied
# syntax=docker/dockerfile:1.7-labs
FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY --parents packages/*/pyproject.toml ./
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-install-workspace
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen
CMD ["uv", "run", "api"]

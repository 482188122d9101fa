# expect: dependency_cache=reinstalled rules=LC005
# why: UV_CACHE_DIR moves uv's cache to /opt/uv-cache; the mount on /root/.cache/uv is not where uv looks, so the rerun sync downloads again
FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv
ENV UV_CACHE_DIR=/opt/uv-cache
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen

# expect: dependency_cache=reinstalled-with-cache rules=LC002
# why: binding the whole context puts every source file in the key of the sync, which reruns on each change; the uv cache mount spares the downloads
FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv
ENV UV_PROJECT_ENVIRONMENT=/opt/venv
WORKDIR /app
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=.,target=/app \
    uv sync --frozen --no-install-project

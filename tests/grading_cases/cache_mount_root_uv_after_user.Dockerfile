# expect: dependency_cache=reinstalled rules=LC005
# why: uv running as uid 1000 caches under that user's home, not /root/.cache/uv; the mounted cache spares nothing when `uv sync` reruns after `COPY . .`
FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv
RUN useradd --uid 1000 --create-home runner && mkdir /app && chown runner /app
USER 1000
WORKDIR /app
COPY --chown=1000:1000 . .
RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked

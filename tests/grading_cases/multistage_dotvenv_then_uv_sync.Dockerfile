# expect: dependency_cache=kept rules=
# why: the builder runs `uv sync --no-install-project` from pyproject.toml and uv.lock only; the final stage copies /app/.venv, then the source, and `uv sync` finds the locked packages installed and adds only the project
FROM python:3.12-slim AS builder
COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /usr/local/bin/uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-install-project --no-dev

FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /usr/local/bin/uv
WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
COPY . /app
RUN uv sync --frozen --no-dev
ENV PATH="/app/.venv/bin:$PATH"
CMD ["uvicorn", "service.api:app", "--host", "0.0.0.0"]

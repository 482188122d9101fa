# expect: dependency_cache=kept rules=
# why: the builder syncs from pyproject.toml and uv.lock alone before its `COPY . .`; the final stage copies the unchanged .venv and then the source
FROM python:3.11-slim AS builder
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN pip install uv && uv sync --frozen --no-install-project
COPY . .

FROM python:3.11-slim
WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
ENV PATH="/app/.venv/bin:${PATH}"
COPY . .
CMD ["python", "server.py"]

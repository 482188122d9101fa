# expect: dependency_cache=kept rules=
# why: poetry installs the locked dependencies into /app/.venv without the project in the builder; the final stage copies the venv, then the source, and `poetry install --only-root` adds the project only
FROM python:3.11-slim AS builder
ENV POETRY_VIRTUALENVS_IN_PROJECT=1 \
    POETRY_NO_INTERACTION=1 \
    POETRY_CACHE_DIR=/tmp/poetry_cache
RUN pip install --no-cache-dir poetry==1.8.3
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN poetry install --without dev --no-root && rm -rf $POETRY_CACHE_DIR

FROM python:3.11-slim AS runtime
ENV POETRY_VIRTUALENVS_IN_PROJECT=1 POETRY_NO_INTERACTION=1
RUN pip install --no-cache-dir poetry==1.8.3
WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
COPY . .
RUN poetry install --only-root
ENTRYPOINT ["/app/.venv/bin/python", "-m", "webapp"]

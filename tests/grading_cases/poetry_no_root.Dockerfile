# expect: dependency_cache=kept rules=
FROM python:3.12-slim
WORKDIR /app
RUN pip install --no-cache-dir poetry
COPY pyproject.toml poetry.lock ./
RUN poetry install --no-root --no-cache
COPY . .
RUN poetry install --no-cache

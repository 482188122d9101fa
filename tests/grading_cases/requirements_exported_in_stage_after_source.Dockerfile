# expect: dependency_cache=kept rules=
# why: requirements.txt is exported from pyproject.toml and poetry.lock before the export stage copies the source; the final copy of that one file is keyed on its unchanged content
FROM python:3.11-slim AS export
RUN pip install --no-cache-dir poetry poetry-plugin-export
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN poetry export --without-hashes -f requirements.txt -o requirements.txt
COPY . .
RUN python -m compileall -q .

FROM python:3.11-slim
WORKDIR /app
COPY --from=export /app/requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY --from=export /app .

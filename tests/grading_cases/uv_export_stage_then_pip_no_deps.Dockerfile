# expect: dependency_cache=kept rules=
# why: a stage exports the locked requirements from uv.lock and pyproject.toml alone; the final stage copies that file, installs it (--no-deps: the export is complete), then copies the source
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY uv.lock pyproject.toml ./
RUN uv export --no-group dev --frozen --no-emit-project > /app/requirements.txt

FROM python:3.11-slim
WORKDIR /app
COPY --from=build /app/requirements.txt .
RUN pip install --only-binary=:all: --no-cache-dir --no-deps -r requirements.txt
COPY . .
CMD ["python", "-m", "canal"]

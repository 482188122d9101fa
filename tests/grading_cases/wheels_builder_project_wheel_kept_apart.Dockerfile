# expect: dependency_cache=kept rules=
# why: the project's wheel goes to /app/dist, apart from the dependency wheels; `COPY --from=builder /app/wheels` stays cached (same content), so only the --no-deps install of the project reruns
FROM python:3.11-slim AS builder
WORKDIR /app
COPY requirements.txt .
RUN pip wheel --no-deps --no-cache-dir --wheel-dir /app/wheels -r requirements.txt
COPY . .
RUN pip wheel --no-deps --no-cache-dir --wheel-dir /app/dist .

FROM python:3.11-slim
COPY --from=builder /app/wheels /app/wheels
RUN pip install --no-cache-dir --no-index /app/wheels/*.whl
COPY --from=builder /app/dist /app/dist
RUN pip install --no-cache-dir --no-deps /app/dist/*.whl
CMD ["myapp"]

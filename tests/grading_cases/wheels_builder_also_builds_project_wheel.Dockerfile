# expect: dependency_cache=reinstalled rules=LC005
# why: the builder copies the source after the dependency wheels and adds the project's own wheel to /app/wheels; a code change changes that folder, so the final `COPY --from` and the `pip install` of every wheel rerun (from local files, but all of them)
FROM python:3.11-slim AS builder
WORKDIR /app
COPY requirements.txt .
RUN pip wheel --no-deps --no-cache-dir --wheel-dir /app/wheels -r requirements.txt
COPY . .
RUN pip wheel --no-deps --no-cache-dir --wheel-dir /app/wheels .

FROM python:3.11-slim
COPY --from=builder /app/wheels/* /app/wheels/
RUN pip install --no-cache-dir --no-index /app/wheels/*.whl
CMD ["myapp"]

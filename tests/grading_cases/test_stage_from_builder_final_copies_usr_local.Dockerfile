# expect: dependency_cache=kept rules=
# why: the builder installs requirements.txt alone; the test stage built FROM it is not reached by the final stage, which copies /usr/local from the builder and then the source
FROM python:3.12-slim AS builder
COPY requirements.txt /tmp/
RUN pip install --no-cache-dir -r /tmp/requirements.txt

FROM builder AS test
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir pytest && pytest -q

FROM python:3.12-slim AS prod
COPY --from=builder /usr/local /usr/local
WORKDIR /app
COPY . .
CMD ["python", "-m", "app"]

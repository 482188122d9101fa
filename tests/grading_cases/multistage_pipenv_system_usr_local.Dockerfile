# expect: dependency_cache=kept rules=
# why: pipenv installs Pipfile.lock into the system site-packages of the builder from the two manifests alone; the final stage copies /usr/local and then the source, with no install after it
FROM python:3.11-slim AS builder
RUN pip install --no-cache-dir pipenv
WORKDIR /app
COPY Pipfile Pipfile.lock ./
RUN pipenv install --deploy --system

FROM python:3.11-slim
COPY --from=builder /usr/local /usr/local
WORKDIR /app
COPY . .
ENTRYPOINT ["python", "main.py"]

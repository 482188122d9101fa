# expect: dependency_cache=kept rules=
# why: the locked, hashed requirements are bind-mounted by name for the install; the project is installed with --no-deps after the source
FROM python:3.12-slim
WORKDIR /app
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=bind,source=requirements.lock,target=/tmp/requirements.lock \
    pip install --no-deps --require-hashes -r /tmp/requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps .

# expect: dependency_cache=kept rules=
# why: `uv pip install` reads a bind-mounted requirements.txt only; BuildKit keys the RUN on that file, and the source is copied after
FROM python:3.11-slim
RUN pip install --no-cache-dir uv
WORKDIR /app
RUN --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \
    uv pip install --no-cache -r /tmp/requirements.txt
COPY . .

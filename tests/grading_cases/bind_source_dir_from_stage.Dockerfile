# expect: dependency_cache=reinstalled rules=LC002
# why: the install bind-mounts the whole /src of a stage that copied the context, so its key covers every source file and it reruns on each change
FROM python:3.11-slim AS source
COPY . /src

FROM python:3.11-slim
RUN --mount=type=bind,from=source,source=/src,target=/src \
    pip install --no-cache-dir -r /src/requirements.txt
WORKDIR /app
COPY . .

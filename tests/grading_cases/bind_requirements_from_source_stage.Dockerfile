# expect: dependency_cache=kept rules=
# why: the bind mount from the rebuilt source stage selects only /src/requirements.txt; BuildKit keys the RUN on that file's content, so the install stays cached
FROM python:3.11-slim AS source
COPY . /src

FROM python:3.11-slim
RUN --mount=type=bind,from=source,source=/src/requirements.txt,target=/tmp/requirements.txt \
    pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /app
COPY . .

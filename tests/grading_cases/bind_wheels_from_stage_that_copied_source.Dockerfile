# expect: dependency_cache=kept rules=
# why: the wheels stage copies the source after building the wheels; the install bind-mounts only /wheels from it, whose content does not change with the source
FROM python:3.11-slim AS wheels
COPY requirements.txt /tmp/requirements.txt
RUN pip wheel --no-cache-dir -w /wheels -r /tmp/requirements.txt
COPY . /build

FROM python:3.11-slim
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index /wheels/*.whl
WORKDIR /app
COPY . .

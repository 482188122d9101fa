# expect: dependency_cache=kept rules=
# why: the deps stage installs requirements.txt into the image's own environment (/opt/venv here, /usr/local on the official image); the final stage copies it, then `pip install .` after the source only builds and adds the project
FROM python:3.11-slim AS deps
COPY requirements.txt /deps/requirements.txt
RUN pip install --no-cache-dir -r /deps/requirements.txt

FROM python:3.11-slim
COPY --from=deps /opt/venv /opt/venv
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .

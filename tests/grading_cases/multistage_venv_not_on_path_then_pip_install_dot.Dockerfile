# expect: dependency_cache=reinstalled rules=LC005
# why: the venv is copied but nothing puts /venv/bin on PATH, so the plain `pip install .` after the source is the image's own pip, which sees none of the venv's packages and installs every dependency again
FROM python:3.11-slim AS deps
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt

FROM python:3.11-slim
COPY --from=deps /venv /venv
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .

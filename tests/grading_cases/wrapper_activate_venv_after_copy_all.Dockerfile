# expect: dependency_cache=reinstalled rules=LC002
# why: the venv is made and filled after `COPY . .`; activating it first does not change that the install reruns on every code change
FROM python:3.11-slim
WORKDIR /code
COPY . .
RUN python -m venv .venv \
    && . .venv/bin/activate \
    && pip install --no-cache-dir -r requirements.txt

# expect: dependency_cache=kept rules=
# why: `env PIP_NO_CACHE_DIR=1 ...` and a leading variable assignment only set the environment of pip; the install reads requirements.txt before the source
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN env PIP_NO_CACHE_DIR=1 PIP_PREFER_BINARY=1 pip install -r requirements.txt \
    && PYTHONDONTWRITEBYTECODE=1 python -m pip check
COPY . .

# expect: dependency_cache=kept rules=
# why: `uv pip install -r pyproject.toml --group dev` reads only pyproject.toml (copied with the lock), before `COPY . .`
FROM python:3.12-alpine
ENV UV_SYSTEM_PYTHON=true
WORKDIR /app
RUN pip install --no-cache-dir uv
COPY pyproject.toml uv.lock ./
RUN uv pip install --no-cache -r pyproject.toml --group dev
COPY . .
CMD ["pytest"]

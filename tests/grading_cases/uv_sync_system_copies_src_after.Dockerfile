# expect: dependency_cache=kept rules=
# why: pyproject.toml and the lock are copied alone and `uv sync` runs before `COPY src/ .`; the source change never reaches the sync
FROM python:3.12
WORKDIR /app
RUN pip install uv
COPY pyproject.toml uv.lock* ./
RUN uv sync --frozen --no-dev --no-install-project
COPY src/ .
CMD ["uv", "run", "streamlit", "run", "app.py"]

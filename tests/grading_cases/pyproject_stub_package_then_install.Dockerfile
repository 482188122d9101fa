# expect: dependency_cache=kept rules=
# why: the install runs on pyproject.toml plus an empty stub package made in the RUN itself; the real src/ is copied after, so code edits leave the install cached
FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml .
RUN mkdir -p src/service && touch src/service/__init__.py \
    && pip install --no-cache-dir -e .
COPY src/ src/
CMD ["python", "-m", "service"]

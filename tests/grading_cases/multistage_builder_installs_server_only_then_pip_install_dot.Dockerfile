# expect: dependency_cache=reinstalled rules=LC005
# why: the builder installs only gunicorn, not the project's dependencies; `pip install .` after `COPY . .` resolves and installs every dependency from pyproject.toml again on each code change
FROM python:3.12-slim AS builder
RUN pip install --no-cache-dir --prefix=/install gunicorn==22.0.0

FROM python:3.12-slim
COPY --from=builder /install /usr/local
WORKDIR /srv
COPY . .
RUN pip install --no-cache-dir .
CMD ["gunicorn", "srv.wsgi"]

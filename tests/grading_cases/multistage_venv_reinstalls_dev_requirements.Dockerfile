# expect: dependency_cache=reinstalled rules=LC002
# why: the copied venv holds only requirements.txt; requirements-dev.txt lists packages that are not in it and reaches the image only through `COPY . .`, so they are installed again on every code change
FROM python:3.11-slim AS builder
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt

FROM python:3.11-slim
COPY --from=builder /venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements-dev.txt

# expect: dependency_cache=kept rules=
# why: the test stage installs test tools after `COPY . .` but the final stage is built FROM deps and never refers to it, so BuildKit does not build the test stage at all
FROM python:3.12-slim AS deps
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM deps AS test
COPY . .
RUN pip install --no-cache-dir -r requirements-test.txt && python -m pytest

FROM deps AS final
COPY . .
CMD ["python", "-m", "service"]

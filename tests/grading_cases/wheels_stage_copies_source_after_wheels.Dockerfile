# expect: dependency_cache=kept rules=
# why: the wheels stage reruns from its `COPY . /build/src` on, but /wheels comes from requirements.txt alone; `COPY --from=wheels /wheels` is keyed on that unchanged content, so the final install stays cached
FROM python:3.11-slim AS wheels
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --no-cache-dir -r requirements.txt -w /wheels
COPY . /build/src
RUN python -m compileall -q /build/src

FROM python:3.11-slim
COPY --from=wheels /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl
WORKDIR /app
COPY . .

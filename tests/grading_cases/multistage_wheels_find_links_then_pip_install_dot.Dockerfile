# expect: dependency_cache=kept rules=
# why: the wheels are built from requirements.txt alone and copied to /wheels; PIP_FIND_LINKS points `pip install .` at them, so the rerun after the source takes the dependencies from the copied wheels, not from the index
FROM python:3.11-slim AS wheels
COPY requirements.txt /tmp/requirements.txt
RUN pip wheel --no-cache-dir -w /wheels -r /tmp/requirements.txt

FROM python:3.11-slim
COPY --from=wheels /wheels /wheels
ENV PIP_FIND_LINKS=/wheels
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .

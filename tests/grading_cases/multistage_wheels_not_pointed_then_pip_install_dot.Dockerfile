# expect: dependency_cache=reinstalled rules=LC005
# why: /wheels is copied from the wheel stage, but `pip install .` is not told to look there (no --find-links, no PIP_FIND_LINKS): it resolves and downloads every dependency from the index again on each code change
FROM python:3.11-slim AS wheels
COPY requirements.txt /tmp/requirements.txt
RUN pip wheel --no-cache-dir -w /wheels -r /tmp/requirements.txt

FROM python:3.11-slim
COPY --from=wheels /wheels /wheels
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .

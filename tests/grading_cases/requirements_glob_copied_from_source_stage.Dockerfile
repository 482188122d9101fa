# expect: dependency_cache=kept rules=
# why: `COPY --from=src /src/requirements*.txt` copies only the files the glob matches; a change elsewhere in the source stage does not change them
FROM python:3.11-slim AS src
COPY . /src

FROM python:3.11-slim
WORKDIR /srv
COPY --from=src /src/requirements*.txt ./
RUN pip install --no-cache-dir -r requirements.txt -r requirements-prod.txt
COPY --from=src /src/app ./app

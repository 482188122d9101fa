# expect: dependency_cache=kept rules=
# why: a stage locks the Pipfile and writes requirements.txt from it alone; the final stage copies that file, installs it, then copies the scripts and modules
FROM python:3.11 AS pipenv
WORKDIR /app
COPY Pipfile .
RUN pip install --no-cache-dir pipenv \
 && pipenv lock \
 && pipenv requirements > requirements.txt

FROM python:3.11
WORKDIR /app
COPY --from=pipenv /app/requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY entrypoint.sh *.py ./
RUN chmod +x entrypoint.sh
ENTRYPOINT ["/app/entrypoint.sh"]

# expect: dependency_cache=reinstalled rules=LC002
# why: `COPY --from=source /src /app` brings the whole context (copied into that stage) before the install, exactly like `COPY . .`
FROM python:3.12-slim AS source
WORKDIR /src
COPY . .
RUN find . -name '*.pyc' -delete

FROM python:3.12-slim
COPY --from=source /src /app
WORKDIR /app
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "-m", "flask", "run"]

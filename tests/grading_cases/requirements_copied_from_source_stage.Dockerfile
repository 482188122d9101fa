# expect: dependency_cache=kept rules=
# why: the source stage copies the whole context and is rebuilt on every change, but `COPY --from=source /src/requirements.txt` is keyed on that one file's content, so the install after it stays cached
FROM python:3.11-slim AS source
WORKDIR /src
COPY . .

FROM python:3.11-slim
WORKDIR /app
COPY --from=source /src/requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY --from=source /src ./
CMD ["python", "app.py"]

# expect: dependency_cache=reinstalled rules=LC001
# why: the app/ package is copied and one of its modules run before the install, so an edit to the code reruns the install; the fix moves the install above the copy but must leave `RUN python -m app.version` below `COPY app ./app`
FROM python:3.11-slim
WORKDIR /app
COPY app ./app
RUN python -m app.version
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "-m", "app.main"]

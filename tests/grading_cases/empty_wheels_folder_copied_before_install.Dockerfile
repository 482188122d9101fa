# expect: dependency_cache=kept rules=
# why: wheels/ is in the context but empty once .dockerignore drops its placeholder; BuildKit copies an empty folder without error (no LC011), and pip finds the packages on the index
FROM python:3.11-slim
WORKDIR /app
COPY wheels/ /wheels/
COPY requirements.txt .
RUN pip install --no-cache-dir --find-links /wheels -r requirements.txt
COPY . .
CMD ["python", "app.py"]

# expect: dependency_cache=no-install rules=
FROM python:3.12-slim
WORKDIR /app
COPY . .
CMD ["python", "app.py"]

# expect: dependency_cache=reinstalled rules=LC001
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
COPY src/ ./src/
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "-m", "src.app"]

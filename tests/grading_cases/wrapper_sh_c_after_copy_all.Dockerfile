# expect: dependency_cache=reinstalled rules=LC002
# why: `sh -c "..."` runs the pip install inside a string; it still comes after `COPY . .` and reruns on every change
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN sh -c "pip install --no-cache-dir -r requirements.txt"

# expect: dependency_cache=reinstalled rules=LC002
# why: `nice -n 10` only lowers the priority of the pip it runs; the install after `COPY . .` reruns on every code change
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN nice -n 10 pip install --no-cache-dir -r requirements.txt

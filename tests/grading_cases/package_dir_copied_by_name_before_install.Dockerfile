# expect: dependency_cache=reinstalled rules=LC001
# why: webapp/ is the project's own package (Python modules, see the context), copied by name before the install; any edit in it reruns the install
FROM python:3.11-slim
WORKDIR /srv
COPY webapp/ webapp/
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "-m", "webapp"]

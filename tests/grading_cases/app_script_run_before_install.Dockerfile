# expect: dependency_cache=reinstalled rules=LC001
# why: gen_version.py is copied and run before the install, so an edit to it reruns the install; the fix moves the install above the copy but must leave `RUN python gen_version.py` below `COPY gen_version.py .`
FROM python:3.11-slim
WORKDIR /app
COPY gen_version.py .
RUN python gen_version.py
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app ./app
CMD ["python", "-m", "app.main"]

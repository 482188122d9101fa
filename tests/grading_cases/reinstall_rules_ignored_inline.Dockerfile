# expect: dependency_cache=reinstalled rules=
# why: the comments silence LC002 and LC003, not BuildKit: `COPY . .` still sends app.py to the install's key
FROM python:3.11-slim
WORKDIR /app
# checker ignore=LC003
COPY . .
# checker ignore=LC002
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "app.py"]

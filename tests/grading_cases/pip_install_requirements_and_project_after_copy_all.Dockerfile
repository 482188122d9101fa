# expect: dependency_cache=reinstalled rules=LC005
# why: `pip install -r requirements.txt .` after `COPY . .` installs the requirements with the project on every change; the fix installs them first and the project after the copy with --no-deps
FROM python:3.11-slim
WORKDIR /code
COPY . .
RUN pip install --no-cache-dir -r requirements.txt .
CMD ["python", "-m", "shop"]

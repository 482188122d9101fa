# expect: dependency_cache=reinstalled rules=LC002
# why: `--no-deps -r requirements.txt -e .` after `COPY . .` installs what requirements.txt lists on every change; the fix installs the file first and keeps only `-e .` (with --no-deps) after the copy, since the project needs its source
FROM python:3.11-slim
WORKDIR /code
COPY . .
RUN pip install --no-cache-dir --no-deps -r requirements.txt -e .
CMD ["python", "-m", "shop"]

# expect: dependency_cache=reinstalled rules=LC005
# why: requirements.txt lists `-e .`, so the install needs the project's source and comes after `COPY . .`; it installs the project with every dependency on each code change (copying requirements.txt alone would not build)
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "-m", "pkg.app"]

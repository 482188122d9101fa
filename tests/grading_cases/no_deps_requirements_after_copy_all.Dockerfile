# expect: dependency_cache=reinstalled rules=LC002
# why: --no-deps does not make this a project-only install: it installs every package requirements.txt lists, and after `COPY . .` it does so again on every code change
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir --no-deps -r requirements.txt
CMD ["python", "app.py"]

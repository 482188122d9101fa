# expect: dependency_cache=reinstalled rules=LC002
# why: without the script's text the install hidden in scripts/setup_env.sh is judged by its position: after `COPY . .` the step reruns on every change
FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN bash scripts/setup_env.sh
CMD ["python", "run.py"]

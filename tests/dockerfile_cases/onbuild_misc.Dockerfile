FROM python:3.12-slim
MAINTAINER someone@example.com
ONBUILD COPY requirements.txt /app/
ONBUILD RUN --mount=type=cache,target=/root/.cache pip install -r /app/requirements.txt
onbuild cmd ["python", "app.py"]
ONBUILD ENV A=1 B=2
USER app:app
LABEL "key with space"=value
EXPOSE 80

# expect: dependency_cache=reinstalled rules=LC002
# why: `COPY . .` comes first; the apk step and the pip install after it both rerun on every code change
FROM python:alpine
WORKDIR /usr/src/app
COPY . .
RUN apk update && apk add --update musl-dev gcc libffi-dev
RUN pip install --no-cache --upgrade pip setuptools
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "main.py"]

# expect: dependency_cache=kept rules=
# why: `ADD requirements/* /code/` copies only the requirement files (into the WORKDIR), the install reads one of them, and the source comes after with `ADD . /code`
FROM python:3.10
ENV PYTHONUNBUFFERED=1
WORKDIR /code
ADD requirements/* /code/
RUN pip install -r prod.txt
ADD . /code
CMD ["gunicorn", "config.wsgi"]

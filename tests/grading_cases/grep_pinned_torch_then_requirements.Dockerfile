# expect: dependency_cache=kept rules=
# why: both installs read only /tmp/requirements.txt (one through `$(grep ...)`), added alone before the source
FROM python:3.10
ADD ./requirements.txt /tmp/requirements.txt
RUN pip install $(grep 'torch==' /tmp/requirements.txt) && \
    pip install $(grep 'numpy==' /tmp/requirements.txt)
RUN pip install -r /tmp/requirements.txt
WORKDIR /app
COPY . .
CMD ["python", "main.py"]

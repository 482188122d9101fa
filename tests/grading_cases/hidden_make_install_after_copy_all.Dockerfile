# expect: dependency_cache=reinstalled rules=LC002
# why: `make install` (see the Makefile in the context) runs pip install after `COPY . .`, so it reruns on every change
FROM python:3.11
WORKDIR /code
COPY . .
RUN make install
CMD ["make", "run"]

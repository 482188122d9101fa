# expect: dependency_cache=kept rules=
# why: the Makefile's install target (see the context) is `pip install -r requirements.txt`; the Makefile and the requirements are copied alone before the source
FROM python:3.11
WORKDIR /code
COPY Makefile requirements.txt ./
RUN make install
COPY . .
CMD ["make", "run"]

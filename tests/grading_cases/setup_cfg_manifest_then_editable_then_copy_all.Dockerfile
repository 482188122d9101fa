# expect: dependency_cache=kept rules=
# why: setup.cfg lists install_requires and the version lives in pkg/__init__.py; those and setup.py alone feed `pip install -e .`, and `COPY . .` after it only brings the code
FROM python:3.10
WORKDIR /usr/src/app
COPY setup.py setup.cfg ./
COPY pkg/__init__.py ./pkg/__init__.py
RUN pip install --no-cache-dir -e .
COPY . .
CMD ["pkg-cli"]

# expect: dependency_cache=reinstalled rules=LC001
# why: requirements.txt lives inside the package folder, so it reaches the image only with the package's code; any edit to the package reruns that install (the `setup.py install` after it finds the dependencies in place: the reinstall is the first step's)
FROM python:3-alpine
COPY archiver /tmp/archiver
COPY setup.py /tmp/setup.py
RUN pip install -r /tmp/archiver/requirements.txt
RUN cd /tmp && python setup.py install
WORKDIR /data
ENTRYPOINT ["archiver"]

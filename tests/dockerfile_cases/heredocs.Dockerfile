# syntax=docker/dockerfile:1.7
FROM python:3.12-slim AS build
WORKDIR /app
COPY <<EOF requirements.txt
flask==3.0.0
requests==2.32.0
EOF
RUN <<EOF
set -e
pip install -r requirements.txt
pip install .
EOF
RUN <<-'SCRIPT' bash
	echo "$HOME is not expanded by Docker"
	SCRIPT
RUN python3 <<"PY" && 3<<EOF2 cat
print("hello")
PY
three
EOF2
COPY --chmod=755 <<one.sh <<two.sh /usr/local/bin/
#!/bin/sh
echo one
one.sh
#!/bin/sh
echo two
two.sh
RUN cat <<EOF | sh
echo piped
EOF
RUN ["echo", "<<NOT_A_HEREDOC"]
RUN echo '<<NOT_EITHER' && echo "x <<ALSO_NOT"
RUN pip install \
    -r requirements.txt <<EOF
input after a continuation
EOF
ONBUILD RUN <<EOF
echo onbuild heredoc
EOF

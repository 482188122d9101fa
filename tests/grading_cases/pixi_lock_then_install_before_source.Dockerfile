# expect: dependency_cache=kept rules=
# why: pixi.toml and pixi.lock are copied alone and `pixi install --locked` runs before the source is copied
FROM ghcr.io/prefix-dev/pixi:0.40.0
WORKDIR /repo
COPY pixi.lock /repo/pixi.lock
COPY pixi.toml /repo/pixi.toml
RUN pixi install --locked
COPY src /repo/src
ENTRYPOINT ["pixi", "run", "start"]

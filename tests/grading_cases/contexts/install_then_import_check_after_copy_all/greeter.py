import idna


def hello():
    print(idna.encode("example.org"))

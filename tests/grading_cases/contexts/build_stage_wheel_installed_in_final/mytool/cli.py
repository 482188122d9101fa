import idna


def main() -> None:
    print(idna.encode("example.org"))

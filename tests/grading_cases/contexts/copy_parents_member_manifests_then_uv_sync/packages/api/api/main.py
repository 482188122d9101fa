from core import greeting


def main() -> None:
    print(greeting("api"))

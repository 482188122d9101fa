import requests


def main() -> None:
    print(f"greet is running with requests {requests.__version__}")


if __name__ == "__main__":
    main()

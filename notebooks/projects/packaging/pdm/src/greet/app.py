import numpy
import pandas
import requests


def main() -> None:
    print(
        f"greet is running with numpy {numpy.__version__}, pandas {pandas.__version__} "
        f"and requests {requests.__version__}"
    )


if __name__ == "__main__":
    main()

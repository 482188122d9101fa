from setuptools import setup

setup(
    name="mypkg",
    version="0.1.0",
    packages=["mypkg"],
    install_requires=["idna"],
    extras_require={"dev": ["tabulate"]},
)

from tabulate import tabulate

print(tabulate([["apples", 3]]))

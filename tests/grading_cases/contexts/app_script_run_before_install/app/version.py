with open("version.txt", "w") as out:
    out.write("1.0\n")

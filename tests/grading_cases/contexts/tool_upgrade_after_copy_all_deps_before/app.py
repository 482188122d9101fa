import idna

print(idna.encode("example.org"))

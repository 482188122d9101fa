import idna

print("app ok", idna.encode("example.org"))

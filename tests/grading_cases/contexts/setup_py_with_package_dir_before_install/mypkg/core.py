import idna

print(idna.decode("xn--nxasmq6b"))

print("hello from the shop")

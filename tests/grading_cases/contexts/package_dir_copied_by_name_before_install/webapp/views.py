def index():
    print("index")

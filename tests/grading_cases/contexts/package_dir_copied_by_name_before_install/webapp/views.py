def index():
    print('index')
